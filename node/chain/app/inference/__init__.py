"""Inference module: Start/Finish in either order, escrow and refunds, expiry, dynamic per-model pricing."""
