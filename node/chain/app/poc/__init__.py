"""PoC module: seed commits, nonce batches, batch validations, and the verdicts that turn them into weights."""
