"""Training tasks: escrowed DiLoCo runs, weight-drawn workers, step commitments, validator verdicts and payouts."""
