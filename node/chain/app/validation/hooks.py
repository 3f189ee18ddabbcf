"""Begin-block hook: close invalidation votes whose deadline height has ended (outcomes.settle_vote)."""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.app.inference.state import get_inference
from node.chain.app.validation.outcomes import settle_vote
from node.chain.app.validation.state import get_vote, votes_due
from node.chain.store.overlay import Overlay


def begin_block(ctx: BlockContext, kv: Overlay) -> list[Event]:
    events: list[Event] = []
    for inference_id in votes_due(kv, ctx.height):
        vote = get_vote(kv, inference_id)
        inference = get_inference(kv, inference_id)
        if vote is None or inference is None:  # written together by MsgValidation
            raise RuntimeError(f"vote deadline for unknown vote {inference_id}")
        events += settle_vote(ctx, kv, vote, inference, deadline=True)
    return events
