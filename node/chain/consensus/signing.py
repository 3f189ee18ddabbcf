"""Sign bytes of consensus messages.

Sign bytes = one domain byte (prevote 0x01, precommit 0x02, proposal 0x20, as in
CometBFT), the length-prefixed chain id, then the deterministic protobuf encoding
of the message with its signature field cleared. The chain id and the message type
are bound, so a vote can never be replayed on another chain or as another type.
"""

from __future__ import annotations

from node.core.consensus_keys import verify_consensus_signature
from node.proto.gonka import consensus_pb2 as pb

PROPOSAL_DOMAIN = 0x20


def _domain_prefix(domain: int, chain_id: str) -> bytes:
    encoded = chain_id.encode()
    return bytes([domain]) + len(encoded).to_bytes(2, "big") + encoded


def vote_sign_bytes(chain_id: str, vote: pb.Vote) -> bytes:
    unsigned = pb.Vote()
    unsigned.CopyFrom(vote)
    unsigned.signature = b""
    return _domain_prefix(int(vote.type), chain_id) + unsigned.SerializeToString(deterministic=True)


def proposal_sign_bytes(chain_id: str, proposal: pb.Proposal) -> bytes:
    unsigned = pb.Proposal()
    unsigned.CopyFrom(proposal)
    unsigned.signature = b""
    return _domain_prefix(PROPOSAL_DOMAIN, chain_id) + unsigned.SerializeToString(deterministic=True)


def verify_vote(chain_id: str, vote: pb.Vote, public_key: bytes) -> bool:
    if vote.type not in (pb.PREVOTE, pb.PRECOMMIT):
        return False
    return verify_consensus_signature(public_key, vote_sign_bytes(chain_id, vote), vote.signature)


def verify_proposal(chain_id: str, proposal: pb.Proposal, public_key: bytes) -> bool:
    return verify_consensus_signature(public_key, proposal_sign_bytes(chain_id, proposal), proposal.signature)
