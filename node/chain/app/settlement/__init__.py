"""Settlement module: epoch rewards and work coins settled per participant, claims (reference §7)."""
