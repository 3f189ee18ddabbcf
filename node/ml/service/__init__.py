"""The ML node service: state machine (state.py), models (models.py), PoW jobs (pow_*.py),
the node behaviour (node.py) and its gRPC face (servicer.py)."""
