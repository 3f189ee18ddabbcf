"""Reputation module: per-epoch performance summaries, cheater marks, reputation 0..100 (reference §6)."""
