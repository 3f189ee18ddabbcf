"""Running one raw tx against a state overlay.

    decode -> check messages -> authenticate -> consume sequence -> messages

In a block (`Admission.BLOCK`) a tx that passed authentication but whose
messages fail keeps its sequence bump (it is in the block, like Cosmos) and
loses its message effects. In the mempool and in proposal re-checks
(`Admission.CHECK`) a failing tx changes nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from node.chain.app.abci import Event, TxResult
from node.chain.app.auth import SignatureCache, authenticate, check_messages, consume_sequence
from node.chain.app.context import BlockContext
from node.chain.app.router import Router
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.core.tx import DecodedTx, decode_tx


class Admission(Enum):
    BLOCK = "block"
    CHECK = "check"


@dataclass(frozen=True)
class TxOutcome:
    result: TxResult
    tx: DecodedTx | None  # None when the bytes did not decode


def _failure(error: TxError, tx: DecodedTx | None) -> TxOutcome:
    return TxOutcome(TxResult(int(error.code), error.message, ()), tx)


def run_tx(
    ctx: BlockContext, kv: Overlay, raw: bytes, router: Router, cache: SignatureCache, admission: Admission
) -> TxOutcome:
    try:
        tx = decode_tx(raw, ctx.params.block.max_tx_bytes)
    except TxError as error:
        return _failure(error, None)
    ante = kv.child()
    try:
        check_messages(tx, router)
        account = authenticate(ante, tx, ctx.chain_id, cache)
    except TxError as error:
        return _failure(error, tx)
    consume_sequence(ante, account, tx)
    effects = ante.child()
    events: list[Event] = []
    try:
        for message in tx.messages:
            route = router.route(message)
            events.append(Event.of("message", action=route.type_url, module=route.module, sender=tx.signer))
            events.extend(route.execute(ctx, effects, message))
    except TxError as error:
        if admission is Admission.BLOCK:
            kv.absorb(ante)
        return _failure(error, tx)
    ante.absorb(effects)
    kv.absorb(ante)
    return TxOutcome(TxResult(int(TxCode.OK), "", tuple(events)), tx)
