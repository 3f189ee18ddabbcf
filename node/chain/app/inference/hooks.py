"""Begin-block hook: update model prices, then expire inferences not completed in time.

An inference expires at the end of its `expires_at_height` (reference EndBlock),
which here is the begin-block of the next height: a Finish included at that
height still counts. On expiry the whole escrow is refunded; if the executor
never sent its Finish, that is a missed request (reference §1, §4).
Departure: an inference whose Finish came but whose Start never did also
expires (the reference keeps it FINISHED forever, escrow locked); that is the
TA's fault, so it is not the executor's missed request.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.app.inference.accounting import refund_escrow
from node.chain.app.inference.pricing import update_prices
from node.chain.app.inference.state import count_missed, due_timeouts, get_inference, remove_timeout, set_inference
from node.chain.store.overlay import Overlay
from node.proto.gonka.inference_pb2 import InferenceStatus


def expire_inferences(ctx: BlockContext, kv: Overlay) -> list[Event]:
    events: list[Event] = []
    for inference_id in due_timeouts(kv, ctx.height):
        inference = get_inference(kv, inference_id)
        if inference is None:  # the index is written with the record; kept consistent by this module
            raise RuntimeError(f"timeout for unknown inference {inference_id}")
        remove_timeout(kv, inference)
        inference.status = InferenceStatus.EXPIRED
        events += refund_escrow(kv, inference)
        missed = not inference.finish_processed
        if missed:
            count_missed(kv, inference.executed_by)
        set_inference(kv, inference)
        events.append(
            Event.of(
                "inference_expired",
                inference_id=inference_id,
                executor=inference.executed_by,
                requested_by=inference.requested_by,
                refund=inference.escrow,
                missed_request=missed,
                height=ctx.height,
            )
        )
    return events


def begin_block(ctx: BlockContext, kv: Overlay) -> list[Event]:
    return update_prices(ctx, kv) + expire_inferences(ctx, kv)
