"""Params module: profiles (devnet, mainnet, testermint), the stored Params, the `params` query."""
