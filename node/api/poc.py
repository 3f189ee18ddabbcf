"""Proof of Compute on this node's ML nodes: the sprint, and the validation of every participant's batches (§2).

Sprint (PoC start P): every ML node is switched to PoW generation for the block hash of P
and this participant's account public key, node i of n owning its share of the nonce
space. Each batch of valid nonces it streams becomes a MsgSubmitPocBatch while the batch
window is open. Nonces come in increasing order per node, so the highest one sent per
node is recorded in data_dir (fsync) BEFORE its batch is sent: after a restart the sprint
is followed again (or, if the ML node lost it, regenerated) and only higher nonces are
sent. A nonce is never submitted twice, which would inflate the claimed weight.

Validation: at the end of generation every ML node switches to validation and builds the
block's PoW model (the reference's init-validate); at the validation start, once the batch
window has closed too, all batches for P are read back from the chain, each OTHER
participant's nonces and distances are concatenated and checked on an ML node (it samples
200 of them), and the verdict goes on chain as MsgSubmitPocValidation.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc

from node.api.context import ApiContext
from node.api.events import TxOutcome, read_json, send_tx, write_json_durably
from node.core.tx import register_message
from node.ml.client import MlNodeClient, MlNodeError, ProofBatch
from node.proto.gonka.poc_pb2 import MsgSubmitPocBatch, MsgSubmitPocValidation

log = logging.getLogger(__name__)

SPRINT_FILE = "sprint.json"
PPB = 1_000_000_000
VALIDATION_ATTEMPTS = 5  # the reference retries a batch validation up to 5 times across ML nodes

register_message(MsgSubmitPocBatch)
register_message(MsgSubmitPocValidation)


@dataclass(frozen=True)
class PocRound:
    """What the PoC calls need to know about one epoch's PoC."""

    poc_start: int  # P
    block_hash: str  # hex hash of block P: seeds the PoW model
    pow_params: str  # the ML nodes' PoW parameter set
    batch_window_end: int  # last height that accepts MsgSubmitPocBatch
    validation_window_end: int  # last height that accepts MsgSubmitPocValidation (end of PoC validation)
    max_nonces_per_batch: int  # the chain's limit on one MsgSubmitPocBatch


# -- sprint ------------------------------------------------------------------------------------


class SprintLog:
    """Per ML node, the highest nonce already sent for the sprint at P (-1: none)."""

    def __init__(self, data_dir: Path, poc_start: int, nodes: int) -> None:
        self.path = data_dir / SPRINT_FILE
        saved = read_json(self.path, {})
        if saved.get("poc_start") == poc_start and len(saved.get("last_nonce", ())) == nodes:
            self.last_nonce: list[int] = [int(n) for n in saved["last_nonce"]]
        else:
            self.last_nonce = [-1] * nodes
        self.poc_start = poc_start
        self._save()

    def _save(self) -> None:
        write_json_durably(self.path, {"poc_start": self.poc_start, "last_nonce": self.last_nonce})

    def fresh(self, node: int, batch: ProofBatch) -> tuple[list[int], list[float]]:
        """The batch's nonces (and distances) not sent yet; recorded as sent from now on."""
        pairs = [(n, d) for n, d in zip(batch.nonces, batch.dist, strict=True) if n > self.last_nonce[node]]
        if pairs:
            self.last_nonce[node] = max(n for n, _ in pairs)
            self._save()
        return [n for n, _ in pairs], [d for _, d in pairs]


async def _init_pow(ml: MlNodeClient, init: Callable[[], Awaitable[Any]]) -> None:
    """A PoW init (`init`). A node restarted meanwhile comes back serving inference, where PoW init is
    refused: it is stopped and asked again. Any other refusal (a training node's, for one) stands."""
    try:
        await init()
    except MlNodeError as error:
        if error.code != grpc.StatusCode.FAILED_PRECONDITION or (await ml.health())["state"] != "INFERENCE":
            raise
        await ml.stop()
        await init()


async def start_sprint(ctx: ApiContext, round_: PocRound, generate: bool) -> SprintLog:
    """Put the ML nodes on P's sprint unless they already run it (a restart); with `generate`
    False only an existing sprint is followed (its generation time is over)."""
    sprint = SprintLog(ctx.data_dir, round_.poc_start, len(ctx.ml_nodes))
    public_key = ctx.key.public_key.hex()
    async with ctx.ml_lock:
        for index, ml in enumerate(ctx.ml_nodes):
            status = await ml.pow_status()
            if status["block_hash"] == round_.block_hash and status["block_height"] == round_.poc_start:
                continue  # this sprint already runs (or ran) there: follow it
            if generate:
                if (await ml.health())["state"] == "TRAIN":
                    log.info("%s: ML node %s trains: no sprint there", ctx.name, ml.url)
                    continue  # Stop would end its training workers (node/api/training.py)
                await ml.stop()  # PoW init is refused while inference is up
                await _init_pow(ml, lambda ml=ml, index=index: ml.init_generate(
                    block_hash=round_.block_hash,
                    block_height=round_.poc_start,
                    public_key=public_key,
                    params=round_.pow_params,
                    node_id=index,
                    node_count=len(ctx.ml_nodes),
                ))
    log.info("%s: sprint for P=%d on %d ML node(s)", ctx.name, round_.poc_start, len(ctx.ml_nodes))
    return sprint


def chunks(nonces: list[int], dist: list[float], size: int) -> Iterator[tuple[list[int], list[float]]]:
    for start in range(0, len(nonces), size):
        yield nonces[start : start + size], dist[start : start + size]


async def submit_batches(
    ctx: ApiContext, round_: PocRound, sprint: SprintLog, height: Callable[[], int]
) -> None:
    """Send every new batch of the sprint until its streams end (generation stopped)."""

    async def follow(index: int, ml: MlNodeClient) -> int:
        sent = 0
        try:
            async for batch in ml.stream_generated():
                if batch.block_hash != round_.block_hash:
                    break  # the node's last sprint is an older one: nothing of ours there
                nonces, dist = sprint.fresh(index, batch)
                if not nonces:
                    continue
                if height() >= round_.batch_window_end:  # the tx would land after the window
                    log.warning("%s: batch of %d nonces after the batch window; dropped", ctx.name, len(nonces))
                    continue
                for part_nonces, part_dist in chunks(nonces, dist, round_.max_nonces_per_batch):
                    message = MsgSubmitPocBatch(
                        creator=ctx.address,
                        poc_stage_start_block_height=round_.poc_start,
                        batch_id=str(uuid.uuid4()),
                        nonces=part_nonces,
                        dist=part_dist,
                        node_id=str(index),
                    )
                    # Not waiting for the block: batches come faster than blocks.
                    outcome = await send_tx(ctx.tx, [message], f"{ctx.name}: PoC batch", wait=False)
                    sent += len(part_nonces) if outcome is TxOutcome.ACCEPTED else 0
        except MlNodeError as error:
            log.warning("%s: sprint stream of ML node %s ended: %s", ctx.name, ml.url, error)
        return sent

    totals = await asyncio.gather(*(follow(i, ml) for i, ml in enumerate(ctx.ml_nodes)))
    log.info("%s: sprint for P=%d done, %d nonces sent", ctx.name, round_.poc_start, sum(totals))


async def start_validation(ctx: ApiContext, round_: PocRound) -> None:
    """Switch the ML nodes to validating P's batches (this ends generation); the block's PoW
    model is built in the background. Nodes already on it are left alone (a replayed stage)."""
    async with ctx.ml_lock:
        for ml in ctx.ml_nodes:
            status = await ml.pow_status()
            if status["phase"] in ("LOADING", "VALIDATING") and status["block_hash"] == round_.block_hash:
                continue
            await _init_pow(ml, lambda ml=ml: ml.init_validate(
                block_hash=round_.block_hash, block_height=round_.poc_start, params=round_.pow_params))


# -- validation of every participant's batches ------------------------------------------------------


def nonces_by_participant(batches: Sequence[dict[str, Any]]) -> dict[str, tuple[list[int], list[float]]]:
    """Each participant's nonces and distances over all its batches (in the chain's order)."""
    merged: dict[str, tuple[list[int], list[float]]] = {}
    for batch in batches:
        nonces, dist = merged.setdefault(batch["participant"], ([], []))
        nonces.extend(int(n) for n in batch["nonces"])
        dist.extend(float(d) for d in batch["dist"])
    return merged


def validation_message(
    creator: str, participant: str, poc_start: int, verdict: dict[str, Any]
) -> MsgSubmitPocValidation:
    """The ML node's verdict as the chain records it (probability_honest in parts per 10^9)."""
    probability = min(max(float(verdict["probability_honest"]), 0.0), 1.0)
    return MsgSubmitPocValidation(
        creator=creator,
        participant_address=participant,
        poc_stage_start_block_height=poc_start,
        n_invalid=int(verdict["n_invalid"]),
        probability_honest_ppb=int(probability * PPB),
        fraud_detected=bool(verdict["fraud_detected"]),
    )


async def _verdict(ctx: ApiContext, batch: ProofBatch, first_node: int) -> dict[str, Any] | None:
    """Validate on the ML nodes in turn from `first_node` until one answers; None if none did."""
    for attempt in range(VALIDATION_ATTEMPTS):
        ml = ctx.ml_nodes[(first_node + attempt) % len(ctx.ml_nodes)]
        try:
            return await ml.validate_batch(
                batch, validator_public_key=ctx.key.public_key.hex(), poc_start_height=batch.block_height
            )
        except MlNodeError as error:
            log.warning("%s: PoC validation on %s failed: %s", ctx.name, ml.url, error)
    return None


async def validate_batches(
    ctx: ApiContext, round_: PocRound, height: Callable[[], int], reached: Callable[[int], Awaitable[None]]
) -> None:
    """Check every participant's batches on the ML nodes (started with `start_validation`), this
    host's own included, as the reference's api node does: acceptance needs valid votes of more than
    half of the whole group's weight, so a host that never voted on itself would depend on a majority
    of the others — with four equal hosts, one silent host would cost every other host its weight.
    Voting for itself gives a cheater nothing: its own weight is below half of the group."""
    await reached(round_.batch_window_end)  # every batch is on chain (the window may outlast the validation start)
    answer = await ctx.chain.query("poc_batches", poc_start_height=round_.poc_start)
    participants = nonces_by_participant(answer["batches"])
    sends: list[asyncio.Task[TxOutcome]] = []
    try:
        # its own batches last: if the window closes first, what is left unchecked costs only itself
        ordered = sorted(participants.items(), key=lambda item: (item[0] == ctx.address, item[0]))
        for index, (participant, (nonces, dist)) in enumerate(ordered):
            if height() >= round_.validation_window_end:
                left = len(participants) - index
                log.warning("%s: PoC validation window closed; %d participant(s) left unchecked", ctx.name, left)
                break
            account = await ctx.chain.query("account", address=participant)
            batch = ProofBatch(round_.block_hash, account["public_key"], round_.poc_start, 0, nonces, dist)
            verdict = await _verdict(ctx, batch, index)
            if verdict is None:
                continue
            message = validation_message(ctx.address, participant, round_.poc_start, verdict)
            what = f"{ctx.name}: PoC validation of {participant} (fraud={message.fraud_detected})"
            sends.append(asyncio.create_task(send_tx(ctx.tx, [message], what)))  # not one block per participant
        outcomes = await asyncio.gather(*sends)
    finally:
        for send in sends:  # cancelled at the end of validation: late verdicts would be refused anyway
            send.cancel()
    done = sum(outcome in (TxOutcome.COMMITTED, TxOutcome.DUPLICATE) for outcome in outcomes)
    log.info("%s: PoC validation for P=%d: %d/%d verdicts on chain", ctx.name, round_.poc_start, done, len(participants))
