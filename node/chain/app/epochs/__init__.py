"""Epochs module: the pure epoch clock, epoch records created at each PoC start, epoch groups
(weights, reputation, seed commits), the end-of-PoC and set-new-validators stage work, and the
`epoch` and `epoch_group` queries."""
