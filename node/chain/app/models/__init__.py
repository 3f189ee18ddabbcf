"""Models module: the registry of models hosts may serve (genesis-seeded), the `models` query."""
