"""The consensus driver: the I/O shell around the pure per-height state machine.

It owns timers, the p2p transport, the write-ahead log and the signer, and it is the
only code that applies a block. All consensus work runs on one asyncio task reading
one queue, so no two inputs are ever processed at once.

Per input: write it to the WAL, feed it to the state machine, carry out the effects
(sign → persist signer state → WAL-fsync own message → broadcast; build a block;
schedule a timeout; commit). A block is committed in ONE database transaction that
holds the block, its commit, the results, the validator set of H+2 and the app state.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable

from node.chain.app.abci import Application, FinalizeResult
from node.chain.app.genesis import Genesis
from node.chain.consensus import blocks as blk
from node.chain.consensus import equivocation
from node.chain.consensus.consensus_store import ConsensusStore
from node.chain.consensus.signer import STEP_PRECOMMIT, STEP_PREVOTE, STEP_PROPOSE, DoubleSignRefused, Signer
from node.chain.consensus.signing import proposal_sign_bytes, verify_proposal, verify_vote, vote_sign_bytes
from node.chain.consensus.state_machine import (
    CastVote,
    Decide,
    Effect,
    EquivocationFound,
    HeightStateMachine,
    Input,
    KnownValueInput,
    NeedValue,
    OwnValueInput,
    Propose,
    ProposalInput,
    RequestValue,
    ScheduleTimeout,
    TimeoutInput,
    TimeoutKind,
    VoteInput,
)
from node.chain.consensus.timeouts import TimeoutProfile
from node.chain.consensus.validators import Validator, ValidatorSet, ValidatorUpdate
from node.chain.consensus.votes import VoteRecord, VoteType
from node.chain.consensus.wal import ConsensusWAL, RecordKind
from node.chain.mempool import Mempool
from node.chain.p2p import P2P
from node.chain.store.block_store import BlockStore
from node.chain.store.db import ChainDB
from node.core.consensus_keys import ConsensusKey, consensus_address
from node.core.hashing import sha256, tx_hash
from node.proto.gonka import consensus_pb2 as pb

log = logging.getLogger(__name__)

MAX_BLOCK_BYTES = 8 << 20
MAX_BLOCK_TXS = 10_000
EVIDENCE_MAX_AGE_BLOCKS = 100_000
SYNC_POLL_S = 1.0

_TIMEOUT_CODES = {TimeoutKind.PROPOSE: 1, TimeoutKind.PREVOTE: 2, TimeoutKind.PRECOMMIT: 3}
_TIMEOUT_KINDS = {code: kind for kind, code in _TIMEOUT_CODES.items()}


@dataclass(frozen=True)
class _Timeout:
    height: int
    kind: TimeoutKind
    round: int


@dataclass(frozen=True)
class _StartHeight:
    height: int


@dataclass(frozen=True)
class _Synced:
    response: pb.BlockResponse
    done: asyncio.Future[bool]


@dataclass(frozen=True)
class CommittedBlock:
    height: int
    block: pb.Block
    block_hash: bytes
    result: FinalizeResult


CommitListener = Callable[[CommittedBlock], None]


class ConsensusEngine:
    def __init__(
        self,
        *,
        chain_id: str,
        genesis: Genesis,
        key: ConsensusKey,
        signer: Signer,
        app: Application,
        db: ChainDB,
        block_store: BlockStore,
        wal: ConsensusWAL,
        mempool: Mempool,
        timeouts: TimeoutProfile,
        p2p_listen: str,
        peers: list[str],
    ) -> None:
        self.chain_id = chain_id
        self.genesis = genesis
        self.key = key
        self.address = consensus_address(key.public_key)
        self.signer = signer
        self.app = app
        self.db = db
        self.blocks = block_store
        self.store = ConsensusStore(db)
        self.wal = wal
        self.mempool = mempool
        self.timeouts = timeouts
        self.p2p = P2P(p2p_listen, peers, self._on_envelope, self._serve_block, self._serve_status)
        self.listeners: list[CommitListener] = []
        self.queue: asyncio.Queue[object] = asyncio.Queue()
        self.evidence_pool: dict[bytes, pb.DuplicateVoteEvidence] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._sync_wakeup = asyncio.Event()
        self._replaying = False
        self.catching_up = False
        self.equivocator = equivocation.from_env(genesis.params_profile)  # a test-only Byzantine switch
        self._recover()

    # -- start-up ------------------------------------------------------------

    def _recover(self) -> None:
        info = self.app.info()
        if info.last_height == 0 and self.blocks.latest_height() == 0:
            with self.db.transaction():
                updates, app_hash = self.app.init_chain(self.genesis)
                if self.store.load_validators(1) is None:
                    genesis_set = ValidatorSet(
                        Validator(consensus_address(u.public_key), u.public_key, u.power) for u in updates if u.power > 0
                    )
                    self.store.save_validators(1, genesis_set)
                    self.store.save_validators(2, genesis_set.incremented(1))
            info = self.app.info()
        last = info.last_height
        if self.blocks.latest_height() != last:
            raise RuntimeError(f"block store at {self.blocks.latest_height()} but app state at {last}")
        validators = self.store.load_validators(last + 1)
        next_validators = self.store.load_validators(last + 2)
        if validators is None or next_validators is None:
            raise RuntimeError(f"validator sets for heights {last + 1}/{last + 2} are missing")
        if last == 0:
            self.summary = blk.ChainSummary(
                self.chain_id, 1, b"", self.genesis.genesis_time_ms, info.last_app_hash, b"", validators, next_validators, None
            )
            self.last_commit: pb.Commit | None = None
        else:
            last_block = pb.Block.FromString(self._require(self.blocks.load_block(last)))
            results = self.blocks.load_results(last)
            assert results is not None
            self.summary = blk.ChainSummary(
                self.chain_id,
                last + 1,
                blk.block_hash(last_block),
                last_block.header.time_ms,
                info.last_app_hash,
                blk.results_hash([(r.code, r.log) for r in results.tx_results]),
                validators,
                next_validators,
                self.store.load_validators(last),
            )
            self.last_commit = pb.Commit.FromString(self._require(self.blocks.load_commit(last)))
        self._new_height_state()

    @staticmethod
    def _require(value: bytes | None) -> bytes:
        if value is None:
            raise RuntimeError("block store is missing a committed block")
        return value

    def _new_height_state(self) -> None:
        self.height = self.summary.height
        self.sm = HeightStateMachine(self.height, self.summary.validators, self.address)
        self.candidates: dict[bytes, pb.Block] = {}
        self.validity: dict[bytes, bool] = {}
        self.own_envelopes: list[pb.Envelope] = []

    async def start(self) -> None:
        await self.p2p.start()
        self._replay_wal()
        self._tasks = [
            asyncio.create_task(self._main_loop(), name="consensus"),
            asyncio.create_task(self._regossip_loop(), name="regossip"),
            asyncio.create_task(self._sync_loop(), name="sync"),
        ]
        self._run_effects(self.sm.start())

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.p2p.stop()
        self.wal.close()

    def _replay_wal(self) -> None:
        """Feed the inputs of the current height recorded before a restart back in, in order."""
        records = self.wal.records_after(self.height - 1)
        if not records:
            return
        self._replaying = True
        try:
            self._run_effects(self.sm.start())
            for kind, body in records:
                if kind is RecordKind.MESSAGE:
                    envelope = pb.Envelope.FromString(body)
                    if self._is_own(envelope):
                        # it may have died in the outgoing queue with the old process: re-gossip it
                        self.own_envelopes.append(envelope)
                    self._handle_envelope(envelope, record=False)
                elif kind is RecordKind.TIMEOUT:
                    timeout = _Timeout(int.from_bytes(body[:8], "big"), _TIMEOUT_KINDS[body[8]], int.from_bytes(body[9:13], "big"))
                    self._handle_timeout(timeout, record=False)
            log.info("replayed %d WAL records for height %d", len(records), self.height)
        finally:
            self._replaying = False

    def _is_own(self, envelope: pb.Envelope) -> bool:
        payload = envelope.WhichOneof("payload")
        if payload == "vote":
            return envelope.vote.validator_address == self.address
        if payload == "proposal":
            return envelope.proposal.proposal.proposer_address == self.address
        return False

    # -- loops ---------------------------------------------------------------

    async def _main_loop(self) -> None:
        while True:
            item = await self.queue.get()
            try:
                self._dispatch(item)
            except Exception:  # a bug in one input must not stop consensus; it is logged loudly
                log.exception("consensus input failed: %r", type(item).__name__)

    async def _regossip_loop(self) -> None:
        while True:
            await asyncio.sleep(self.timeouts.regossip_ms / 1000)  # periodic re-send, not synchronization
            for envelope in self.own_envelopes[-8:]:
                self._broadcast(envelope)
            for vote in self._polka_votes():
                self._broadcast(pb.Envelope(vote=vote))

    def _polka_votes(self) -> list[pb.Vote]:
        """Other validators' prevotes behind this node's valid value. A peer that missed them
        cannot accept a re-proposal of that value (it needs the round's 2/3 prevotes), and their
        signer may be gone for good — three of four validators would then never agree while one
        of them is locked on it. Relaying them is what Tendermint's vote gossip does."""
        valid = self.sm.valid
        if valid is None:
            return []
        votes = self.sm.votes.get(valid.round, VoteType.PREVOTE).by_validator.values()
        return [vote.signed for vote in votes
                if vote.block_hash == valid.block_hash and vote.validator != self.address and vote.signed is not None]

    async def _sync_loop(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._sync_wakeup.wait(), timeout=SYNC_POLL_S)
            except asyncio.TimeoutError:
                pass
            self._sync_wakeup.clear()
            await self.p2p.refresh_heights()
            await self._catch_up()

    async def _catch_up(self) -> None:
        while max((link.height for link in self.p2p.links), default=0) >= self.height:
            self.catching_up = True
            response = await self.p2p.fetch_block(self.height)
            if response is None:
                break
            done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
            await self.queue.put(_Synced(response, done))
            if not await done:
                break
        self.catching_up = False

    # -- inputs --------------------------------------------------------------

    async def _on_envelope(self, envelope: pb.Envelope) -> None:
        if envelope.sender_height > self.height:
            self._sync_wakeup.set()
        payload = envelope.WhichOneof("payload")
        if payload == "txs":
            for raw in envelope.txs.txs:
                self.mempool.add(raw)
        elif payload is not None:
            await self.queue.put(envelope)

    def _dispatch(self, item: object) -> None:
        if isinstance(item, pb.Envelope):
            self._handle_envelope(item, record=True)
        elif isinstance(item, _Timeout):
            self._handle_timeout(item, record=True)
        elif isinstance(item, _StartHeight):
            if item.height == self.height:
                self._run_effects(self.sm.start())
        elif isinstance(item, _Synced):
            item.done.set_result(self._apply_synced(item.response))

    def _handle_envelope(self, envelope: pb.Envelope, record: bool) -> None:
        payload = envelope.WhichOneof("payload")
        if payload == "proposal":
            if envelope.proposal.proposal.height != self.height:
                return
            if record:
                self.wal.append(RecordKind.MESSAGE, blk.encode(envelope))
            self._on_proposal(envelope.proposal)
        elif payload == "vote":
            if envelope.vote.height != self.height:
                return
            if record:
                self.wal.append(RecordKind.MESSAGE, blk.encode(envelope))
            self._on_vote(envelope.vote)
        elif payload == "evidence":
            self._add_evidence(envelope.evidence)

    def _handle_timeout(self, timeout: _Timeout, record: bool) -> None:
        if timeout.height != self.height:
            return
        if record:
            body = timeout.height.to_bytes(8, "big") + bytes([_TIMEOUT_CODES[timeout.kind]]) + timeout.round.to_bytes(4, "big")
            self.wal.append(RecordKind.TIMEOUT, body)
        self._feed(TimeoutInput(timeout.kind, timeout.round))

    def _on_proposal(self, message: pb.ProposalMessage) -> None:
        proposal, block = message.proposal, message.block
        proposer = self.summary.validators.get(proposal.proposer_address)
        if proposer is None or not verify_proposal(self.chain_id, proposal, proposer.public_key):
            return
        hash_ = blk.block_hash(block)
        if hash_ != proposal.block_hash:
            return
        self.candidates.setdefault(hash_, block)
        self._feed(ProposalInput(proposal.round, proposal.pol_round, hash_, proposal.proposer_address, self._is_valid(block, hash_)))

    def _on_vote(self, vote: pb.Vote) -> None:
        validator = self.summary.validators.get(vote.validator_address)
        if validator is None or not verify_vote(self.chain_id, vote, validator.public_key):
            return
        record = VoteRecord(VoteType(vote.type), vote.round, vote.block_hash, vote.validator_address, signed=vote)
        self._feed(VoteInput(record))

    def _feed(self, inp: Input) -> None:
        machine, round_before = self.sm, self.sm.round
        self._run_effects(machine.handle(inp))
        if machine is self.sm and machine.round > round_before > -1:  # a round failed: worth a line
            log.info("height %d: round %d (after %s)", self.height, machine.round, type(inp).__name__)

    # -- effects -------------------------------------------------------------

    def _run_effects(self, effects: list[Effect]) -> None:
        pending = deque(effects)
        while pending:
            effect = pending.popleft()
            height_before = self.height
            more = self._run_effect(effect)
            if self.height != height_before:
                return  # committed: what is left belonged to the finished height
            pending.extend(more)

    def _run_effect(self, effect: Effect) -> list[Effect]:
        if isinstance(effect, RequestValue):
            block = self._build_block()
            hash_ = blk.block_hash(block)
            self.candidates[hash_] = block
            self.validity[hash_] = True
            return self.sm.handle(OwnValueInput(effect.round, hash_))
        if isinstance(effect, Propose):
            return self._propose(effect)
        if isinstance(effect, CastVote):
            return self._cast_vote(effect)
        if isinstance(effect, ScheduleTimeout):
            delay = self.timeouts.duration_s(effect.kind, effect.round)
            asyncio.get_event_loop().call_later(delay, self.queue.put_nowait, _Timeout(self.height, effect.kind, effect.round))
            return []
        if isinstance(effect, Decide):
            self._decide(effect)
            return []
        if isinstance(effect, EquivocationFound):
            votes = sorted((effect.equivocation.first.signed, effect.equivocation.second.signed), key=blk.encode)
            evidence = pb.DuplicateVoteEvidence(vote_a=votes[0], vote_b=votes[1])
            if self._add_evidence(evidence):
                self._broadcast(pb.Envelope(evidence=evidence))
            return []
        if isinstance(effect, NeedValue):
            self._sync_wakeup.set()
            return []
        raise TypeError(f"unknown effect {effect!r}")

    def _propose(self, effect: Propose) -> list[Effect]:
        block = self.candidates.get(effect.block_hash)
        if block is None:
            return []
        proposal = pb.Proposal(
            height=self.height, round=effect.round, pol_round=effect.pol_round, block_hash=effect.block_hash,
            proposer_address=self.address,
        )
        try:
            proposal.signature = self.signer.sign(self.height, effect.round, STEP_PROPOSE, proposal_sign_bytes(self.chain_id, proposal))
        except DoubleSignRefused as refusal:
            log.info("not proposing: %s", refusal)
            return []
        message = pb.ProposalMessage(proposal=proposal, block=block)
        if self.equivocator is not None and not self._replaying:
            self._equivocate(self.equivocator, message)
        else:
            self._publish(pb.Envelope(proposal=message))
        return self.sm.handle(
            ProposalInput(effect.round, effect.pol_round, effect.block_hash, self.address, self.validity.get(effect.block_hash, True))
        )

    def _cast_vote(self, effect: CastVote) -> list[Effect]:
        vote = pb.Vote(
            type=int(effect.type), height=self.height, round=effect.round, block_hash=effect.block_hash,
            validator_address=self.address,
        )
        step = STEP_PREVOTE if effect.type == VoteType.PREVOTE else STEP_PRECOMMIT
        try:
            vote.signature = self.signer.sign(self.height, effect.round, step, vote_sign_bytes(self.chain_id, vote))
        except DoubleSignRefused as refusal:
            log.info("not voting: %s", refusal)
            return []
        self._publish(pb.Envelope(vote=vote))
        record = VoteRecord(effect.type, effect.round, effect.block_hash, self.address, signed=vote)
        return self.sm.handle(VoteInput(record))

    def _equivocate(self, equivocator: equivocation.Equivocator, message: pb.ProposalMessage) -> None:
        """TEST ONLY (equivocation.py): sign a second proposal for this height and round with
        another block, bypassing the double-sign guard, and send each to a part of the peers.
        Neither is re-gossiped, so a peer keeps the one it got."""
        block = message.block
        other_block = blk.build_block(self.summary, block.header.time_ms + 1, self.address, list(block.txs),
                                      list(block.evidence), self.last_commit)
        other = pb.Proposal()
        other.CopyFrom(message.proposal)
        other.block_hash = blk.block_hash(other_block)
        other.signature = self.key.sign(proposal_sign_bytes(self.chain_id, other))
        first = pb.Envelope(proposal=message)
        self.wal.append(RecordKind.MESSAGE, blk.encode(first), sync=True)
        second = pb.Envelope(proposal=pb.ProposalMessage(proposal=other, block=other_block))
        for envelope in (first, second):
            envelope.sender, envelope.sender_height = self.address, self.height
        log.warning("equivocating at height %d round %d (test switch)", self.height, message.proposal.round)
        equivocator.send(self.p2p.links, first, second)

    def _publish(self, envelope: pb.Envelope) -> None:
        """Own signed message: fsync it to the WAL before it leaves the node."""
        if not self._replaying:
            self.wal.append(RecordKind.MESSAGE, blk.encode(envelope), sync=True)
            self._broadcast(envelope)
        self.own_envelopes.append(envelope)

    def _broadcast(self, envelope: pb.Envelope) -> None:
        envelope.sender = self.address
        envelope.sender_height = self.height
        self.p2p.broadcast(envelope)

    def broadcast_txs(self, txs: list[bytes]) -> None:
        self._broadcast(pb.Envelope(txs=pb.TxBatch(txs=txs)))

    # -- blocks --------------------------------------------------------------

    def _build_block(self) -> pb.Block:
        candidates = self.mempool.reap(MAX_BLOCK_BYTES, MAX_BLOCK_TXS)
        txs = self.app.prepare_proposal(candidates, MAX_BLOCK_BYTES)
        evidence = [item for key, item in sorted(self.evidence_pool.items()) if not self.store.has_evidence(key)]
        now_ms = int(time.time() * 1000)
        return blk.build_block(self.summary, now_ms, self.address, txs, evidence, self.last_commit)

    def _is_valid(self, block: pb.Block, hash_: bytes) -> bool:
        if hash_ not in self.validity:
            try:
                blk.verify_block(self.summary, block, self._check_evidence)
                self.validity[hash_] = self.app.process_proposal(blk.block_input(block, hash_))
            except blk.InvalidBlock as error:
                log.warning("rejecting block %s at height %d: %s", hash_.hex()[:12], self.height, error)
                self.validity[hash_] = False
        return self.validity[hash_]

    def _decide(self, decision: Decide) -> None:
        block = self.candidates[decision.block_hash]
        commit = pb.Commit(
            height=self.height, round=decision.round, block_hash=decision.block_hash,
            precommits=sorted((v.signed for v in decision.precommits), key=lambda v: v.validator_address),
        )
        self._commit_block(block, decision.block_hash, commit)
        self._enter_next_height(delay_s=self.timeouts.commit_ms / 1000)

    def _apply_synced(self, response: pb.BlockResponse) -> bool:
        block, commit = response.block, response.commit
        if block.header.height != self.height:
            return False
        hash_ = blk.block_hash(block)
        try:
            if commit.height != self.height:
                raise blk.InvalidBlock("commit is for another height")
            blk.verify_commit(self.chain_id, self.summary.validators, commit, hash_)
            blk.verify_block(self.summary, block, self._check_evidence)
        except blk.InvalidBlock as error:
            log.warning("synced block at height %d rejected: %s", self.height, error)
            return False
        # a quorum decided it; tell the state machine so a pending NeedValue resolves too
        self.sm.handle(KnownValueInput(hash_, True))
        self._commit_block(block, hash_, commit)
        self._enter_next_height(delay_s=0)
        return True

    def _commit_block(self, block: pb.Block, hash_: bytes, commit: pb.Commit) -> None:
        height = self.height
        result = self.app.finalize_block(blk.block_input(block, hash_))
        updates = [ValidatorUpdate(consensus_address(u.public_key), u.public_key, u.power) for u in result.validator_updates]
        after_next = self.summary.next_validators.with_updates(updates).incremented(1)
        with self.db.transaction():
            self.blocks.save_block(height, hash_, blk.encode(block), blk.encode(commit), list(block.txs), result)
            self.store.save_validators(height + 2, after_next)
            for item in block.evidence:
                self.store.record_evidence(sha256(blk.encode(item)), height)
            self.app.commit()
        self.wal.end_height(height)
        for item in block.evidence:
            self.evidence_pool.pop(sha256(blk.encode(item)), None)
        self.summary = blk.ChainSummary(
            self.chain_id,
            height + 1,
            hash_,
            block.header.time_ms,
            result.app_hash,
            blk.results_hash([(r.code, r.log) for r in result.tx_results]),
            self.summary.next_validators,
            after_next,
            self.summary.validators,
        )
        self.last_commit = commit
        self.mempool.update(tx_hash(raw) for raw in block.txs)
        committed = CommittedBlock(height, block, hash_, result)
        for listener in self.listeners:
            listener(committed)
        log.info("committed height %d (%d txs) app_hash=%s", height, len(block.txs), result.app_hash.hex()[:16])

    def _enter_next_height(self, delay_s: float) -> None:
        self._new_height_state()
        if delay_s > 0:
            asyncio.get_event_loop().call_later(delay_s, self.queue.put_nowait, _StartHeight(self.height))
        else:
            self.queue.put_nowait(_StartHeight(self.height))

    # -- evidence ------------------------------------------------------------

    def _check_evidence(self, evidence: pb.DuplicateVoteEvidence) -> None:
        a, b = evidence.vote_a, evidence.vote_b
        if (a.validator_address, a.height, a.round, a.type) != (b.validator_address, b.height, b.round, b.type):
            raise blk.InvalidBlock("evidence votes are not for the same validator, height, round and type")
        if a.block_hash == b.block_hash:
            raise blk.InvalidBlock("evidence votes do not conflict")
        if blk.encode(a) >= blk.encode(b):
            raise blk.InvalidBlock("evidence votes are not in canonical order")
        if not (self.height - EVIDENCE_MAX_AGE_BLOCKS <= a.height <= self.height):
            raise blk.InvalidBlock("evidence is too old or from the future")
        validators = self.summary.validators if a.height == self.height else self.store.load_validators(a.height)
        validator = validators.get(a.validator_address) if validators else None
        if validator is None:
            raise blk.InvalidBlock("evidence names a non-validator")
        if not (verify_vote(self.chain_id, a, validator.public_key) and verify_vote(self.chain_id, b, validator.public_key)):
            raise blk.InvalidBlock("evidence has a bad signature")
        if self.store.has_evidence(sha256(blk.encode(evidence))):
            raise blk.InvalidBlock("evidence already committed")

    def _add_evidence(self, evidence: pb.DuplicateVoteEvidence) -> bool:
        key = sha256(blk.encode(evidence))
        if key in self.evidence_pool:
            return False
        try:
            self._check_evidence(evidence)
        except blk.InvalidBlock as error:
            log.info("ignoring evidence: %s", error)
            return False
        self.evidence_pool[key] = evidence
        log.warning("duplicate-vote evidence against %s at height %d", evidence.vote_a.validator_address.hex()[:12], evidence.vote_a.height)
        return True

    # -- serving peers ---------------------------------------------------------

    def _serve_block(self, height: int) -> pb.BlockResponse:
        block = self.blocks.load_block(height)
        commit = self.blocks.load_commit(height)
        if block is None or commit is None:
            return pb.BlockResponse(found=False)
        return pb.BlockResponse(found=True, block=pb.Block.FromString(block), commit=pb.Commit.FromString(commit))

    def _serve_status(self) -> pb.StatusResponse:
        return pb.StatusResponse(address=self.address, height=self.height - 1, base_height=1)
