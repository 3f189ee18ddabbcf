"""Collateral module: deposits, one-epoch unbonding withdrawals, slashing, the `collateral` query."""
