"""Block and commit hashing and the pure checks a block must pass before it is voted on.

Everything here is a function of (chain state summary, block): no I/O, so every
node reaches the same verdict for the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

from node.chain.app.abci import BlockInput, Misbehavior
from node.chain.consensus.signing import verify_vote
from node.chain.consensus.validators import ValidatorSet
from node.core.hashing import sha256
from node.proto.gonka import consensus_pb2 as pb


class InvalidBlock(Exception):
    """The block breaks a consensus rule; the message says which."""


def encode(message: object) -> bytes:
    return message.SerializeToString(deterministic=True)  # type: ignore[attr-defined]


def header_hash(header: pb.Header) -> bytes:
    return sha256(encode(header))


def block_hash(block: pb.Block) -> bytes:
    return header_hash(block.header)


def data_hash(txs: Sequence[bytes]) -> bytes:
    return sha256(b"".join(sha256(tx) for tx in txs))


def evidence_hash(evidence: Sequence[pb.DuplicateVoteEvidence]) -> bytes:
    return sha256(b"".join(sha256(encode(item)) for item in evidence))


def commit_hash(commit: pb.Commit) -> bytes:
    return sha256(encode(commit)) if commit.height else b""


def results_hash(codes_and_logs: Sequence[tuple[int, str]]) -> bytes:
    return sha256(b"".join(code.to_bytes(4, "big") + sha256(log.encode()) for code, log in codes_and_logs))


@dataclass(frozen=True)
class ChainSummary:
    """What a node knows after committing height `height - 1`: enough to judge block `height`."""

    chain_id: str
    height: int  # the height being decided
    last_block_hash: bytes
    last_block_time_ms: int
    app_hash: bytes
    last_results_hash: bytes
    validators: ValidatorSet  # decides `height`
    next_validators: ValidatorSet  # decides `height + 1`
    last_validators: ValidatorSet | None  # decided `height - 1`; None at the first height


def verify_commit(chain_id: str, validators: ValidatorSet, commit: pb.Commit, expected_hash: bytes) -> None:
    """Raise InvalidBlock unless more than 2/3 of `validators` signed precommits for `expected_hash`."""
    if commit.block_hash != expected_hash:
        raise InvalidBlock("commit is for another block")
    signed_power = 0
    seen: set[bytes] = set()
    for vote in commit.precommits:
        validator = validators.get(vote.validator_address)
        if validator is None or vote.validator_address in seen:
            raise InvalidBlock("commit has an unknown or repeated signer")
        if (
            vote.type != pb.PRECOMMIT
            or vote.height != commit.height
            or vote.round != commit.round
            or vote.block_hash != expected_hash
        ):
            raise InvalidBlock("commit carries a vote for something else")
        if not verify_vote(chain_id, vote, validator.public_key):
            raise InvalidBlock("commit has a bad signature")
        seen.add(vote.validator_address)
        signed_power += validator.power
    if not validators.has_two_thirds(signed_power):
        raise InvalidBlock("commit lacks a 2/3 quorum")


EvidenceCheck = Callable[[pb.DuplicateVoteEvidence], None]


def verify_block(summary: ChainSummary, block: pb.Block, check_evidence: EvidenceCheck) -> None:
    """Raise InvalidBlock if `block` cannot be the block at `summary.height`."""
    header = block.header
    if header.chain_id != summary.chain_id:
        raise InvalidBlock("wrong chain id")
    if header.height != summary.height:
        raise InvalidBlock(f"wrong height {header.height}, expected {summary.height}")
    if header.last_block_hash != summary.last_block_hash:
        raise InvalidBlock("wrong last block hash")
    if header.time_ms <= summary.last_block_time_ms:
        raise InvalidBlock("block time does not increase")
    if header.app_hash != summary.app_hash:
        raise InvalidBlock("wrong app hash")
    if header.last_results_hash != summary.last_results_hash:
        raise InvalidBlock("wrong last results hash")
    if header.validators_hash != summary.validators.hash():
        raise InvalidBlock("wrong validators hash")
    if header.next_validators_hash != summary.next_validators.hash():
        raise InvalidBlock("wrong next validators hash")
    if header.proposer_address not in summary.validators:
        raise InvalidBlock("proposer is not a validator")
    if header.data_hash != data_hash(list(block.txs)):
        raise InvalidBlock("wrong data hash")
    if header.evidence_hash != evidence_hash(list(block.evidence)):
        raise InvalidBlock("wrong evidence hash")
    if header.last_commit_hash != commit_hash(block.last_commit):
        raise InvalidBlock("wrong last commit hash")
    if summary.last_validators is None:
        if block.last_commit.height:
            raise InvalidBlock("first block cannot carry a last commit")
    else:
        if block.last_commit.height != summary.height - 1:
            raise InvalidBlock("last commit is for the wrong height")
        verify_commit(summary.chain_id, summary.last_validators, block.last_commit, summary.last_block_hash)
    seen: set[bytes] = set()
    for item in block.evidence:
        key = sha256(encode(item))
        if key in seen:
            raise InvalidBlock("duplicate evidence")
        seen.add(key)
        check_evidence(item)


def build_block(
    summary: ChainSummary,
    time_ms: int,
    proposer: bytes,
    txs: Sequence[bytes],
    evidence: Sequence[pb.DuplicateVoteEvidence],
    last_commit: pb.Commit | None,
) -> pb.Block:
    commit = last_commit if last_commit is not None else pb.Commit()
    header = pb.Header(
        chain_id=summary.chain_id,
        height=summary.height,
        time_ms=max(time_ms, summary.last_block_time_ms + 1),
        last_block_hash=summary.last_block_hash,
        last_commit_hash=commit_hash(commit),
        data_hash=data_hash(txs),
        validators_hash=summary.validators.hash(),
        next_validators_hash=summary.next_validators.hash(),
        app_hash=summary.app_hash,
        last_results_hash=summary.last_results_hash,
        evidence_hash=evidence_hash(evidence),
        proposer_address=proposer,
    )
    return pb.Block(header=header, txs=list(txs), evidence=list(evidence), last_commit=commit)


def block_input(block: pb.Block, hash_: bytes) -> BlockInput:
    """What the app sees of a block: its txs and the misbehavior its evidence proves."""
    misbehavior = tuple(
        Misbehavior("duplicate_vote", item.vote_a.validator_address, item.vote_a.height) for item in block.evidence
    )
    header = block.header
    return BlockInput(header.height, header.time_ms, hash_, header.proposer_address, tuple(block.txs), misbehavior)
