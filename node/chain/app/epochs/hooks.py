"""Begin-block hook: start a new epoch at each PoC start and announce stage boundaries.

Emits one block event `epoch_stage{stage, epoch_index, poc_start_height,
height}` per boundary reached (stage names: clock.STAGE_NAMES), which api
nodes follow to drive their ML nodes through the sprint.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.app.epochs.clock import next_poc_start, stages
from node.chain.app.epochs.state import add_epoch, latest_epoch
from node.chain.store.overlay import Overlay
from node.proto.gonka.epochs_pb2 import Epoch


def begin_block(ctx: BlockContext, kv: Overlay) -> list[Event]:
    params = ctx.params.epoch
    epoch = latest_epoch(kv)
    if ctx.height == next_poc_start(params, epoch.index, epoch.poc_start_block_height):
        epoch = Epoch(index=epoch.index + 1, poc_start_block_height=ctx.height)
        add_epoch(kv, epoch)
    if epoch.index == 0:
        return []
    return [
        Event.of(
            "epoch_stage",
            stage=name,
            epoch_index=epoch.index,
            poc_start_height=epoch.poc_start_block_height,
            height=ctx.height,
        )
        for name in stages(params, epoch.poc_start_block_height).boundaries_at(ctx.height)
    ]
