"""Epochs module: the pure epoch clock, epoch records created at each PoC start, the `epoch` query."""
