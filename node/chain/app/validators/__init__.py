"""Validators module: the consensus validator set in state, jailing on misbehavior, the `validators` query."""
