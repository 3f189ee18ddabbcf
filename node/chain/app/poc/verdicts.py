"""Which participants' PoC counts: the end-of-validation verdicts (reference protocol.md §2 "Weight derivation").

Voters are the members of the current (effective) group with their weights.
A participant is accepted iff the weight of its `fraud_detected=false` votes
is MORE than half of the whole group's total weight; it is a fraud iff its
`fraud_detected=true` votes weigh more than half. Without an electorate —
the first PoC, or a current group whose total weight is 0 (all rejected
last time; the reference says "no current validators") — everyone is
accepted, so the network can always bootstrap. A seed commit for the
upcoming epoch is required too (batches come only from registered hosts,
which always have a consensus key). Not in the reference: a host whose
executor status is INVALID (final in this chain) gets no weight.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.chain.app.epochs.group import members, seed_signature
from node.chain.app.poc.state import nonce_counts, validations
from node.chain.app.validation.state import is_invalid
from node.chain.store.overlay import KVReader


@dataclass(frozen=True)
class Verdict:
    address: str
    claimed: int  # total nonce count over its batches
    accepted: bool
    fraud: bool
    reason: str  # why not accepted ("" when accepted)


def electorate(kv: KVReader, upcoming_epoch: int) -> dict[str, int] | None:
    """Voter weights (the current group), or None when everyone is accepted."""
    if upcoming_epoch <= 1:
        return None
    voters = {address: weight for address, weight in members(kv, upcoming_epoch - 1) if weight > 0}
    return voters or None


def poc_verdicts(kv: KVReader, upcoming_epoch: int, poc_start: int) -> list[Verdict]:
    """One verdict per participant with batches for P, ordered by address."""
    voters = electorate(kv, upcoming_epoch)
    total = sum(voters.values()) if voters else 0
    verdicts = []
    for address, claimed in sorted(nonce_counts(kv, poc_start).items()):
        valid = invalid = 0
        for vote in validations(kv, poc_start, address):
            weight = voters.get(vote.validator, 0) if voters else 0
            if vote.fraud_detected:
                invalid += weight
            else:
                valid += weight
        fraud = voters is not None and invalid * 2 > total
        if seed_signature(kv, upcoming_epoch, address) is None:
            reason = "no seed commit for the epoch"
        elif is_invalid(kv, address):
            reason = "executor status INVALID"
        elif fraud:
            reason = "fraud detected by a majority of the group's weight"
        elif voters is not None and valid * 2 <= total:
            reason = "valid votes do not exceed half of the group's weight"
        else:
            reason = ""
        verdicts.append(Verdict(address, claimed, not reason, fraud, reason))
    return verdicts
