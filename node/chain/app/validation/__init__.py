"""Validation module: MsgValidation, invalidation voting, executor status and claim-time duty checks."""
