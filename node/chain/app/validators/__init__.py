"""Validators module: the consensus validator set in state, its powers following the effective epoch
group, jailing on misbehavior, the `validators` query."""
