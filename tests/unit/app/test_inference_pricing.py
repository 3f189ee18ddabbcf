"""Dynamic per-model pricing (reference protocol.md §4): +-2 % per block at most, the floor, grace, locking."""

from pathlib import Path

import pytest

from node.chain.app.inference.params import pricing_params
from node.chain.app.inference.pricing import next_price

from .harness import ALICE, BOB, Node
from .inference_helpers import DEV, DEV_FUNDS, MODEL, Request, inference, inference_genesis, make_node, submit, work

PARAMS = pricing_params(grace_end_epoch=0, min_price=1, window_blocks=10, block_time_ms=1000)
LONG_EPOCH = {"epoch": {"epoch_length": 400, "epoch_shift": 0}}


@pytest.mark.parametrize(
    ("utilization_ppm", "expected"),
    [
        (500_000, 1000),  # inside the stability zone [0.4, 0.6]
        (400_000, 1000),
        (600_000, 1000),
        (0, 980),  # (0.4 - 0) * 0.05 = 2 %
        (200_000, 990),  # 1 %
        (700_000, 1005),  # (0.7 - 0.6) * 0.05 = 0.5 %
        (5_000_000, 1020),  # 22 % asked, clamped to 2 %
    ],
)
def test_price_step(utilization_ppm: int, expected: int) -> None:
    assert next_price(1000, utilization_ppm, PARAMS) == expected


def test_every_step_stays_within_two_percent_and_above_the_floor() -> None:
    floored = pricing_params(grace_end_epoch=0, min_price=950, window_blocks=10, block_time_ms=1000)
    # Integer ngonka truncate like the reference's uint64 conversion: within [floor(0.98 p), floor(1.02 p)].
    for price in (1, 7, 50, 51, 999, 1000, 123_457):
        for utilization in range(0, 3_000_000, 37_000):
            new = next_price(price, utilization, PARAMS)
            assert max(price * 98 // 100, PARAMS.min_per_token_price) <= new <= price * 102 // 100
    assert next_price(960, 0, floored) == 950  # 940.8 would be below the floor
    assert next_price(7, 0, PARAMS) == 6
    assert next_price(1, 0, PARAMS) == 1


def price(node: Node) -> int:
    value: int = node.app.query("price", {"model": MODEL})["per_token_price"]
    return value


def test_price_rises_under_load_then_decays_and_inferences_keep_their_price(tmp_path: Path) -> None:
    node = make_node(tmp_path, inference_genesis(**LONG_EPOCH))
    assert price(node) == 1000  # base, before any block
    idle = [price(node) for _ in range(3) if node.run_block()]
    assert idle == [980, 960, 940]  # no load: -2 % a block (floors), toward min 1
    request = Request()
    submit(node, ALICE, request.start(max_tokens=2000))
    locked = inference(node, request)["per_token_price"]
    # 1000 tokens in a 10-block window against 40 tokens/s * 10 s of capacity: u = 2.5, far above 0.6
    submit(node, BOB, request.finish(prompt_tokens=20, completion_tokens=980))
    assert work(node, BOB)["owed"] == 1000 * locked  # the price locked by the Start
    rising = [price(node) for _ in range(10) if node.run_block()]  # the finish's tokens are in the window
    assert all(b == a * 102 // 100 for a, b in zip(rising, rising[1:], strict=False))
    assert rising[-1] > locked
    falling = [price(node) for _ in range(3) if node.run_block()]  # the window has passed
    assert falling[0] < rising[-1] and falling[1] < falling[0]


def test_grace_period_is_free(tmp_path: Path) -> None:
    node = make_node(tmp_path, inference_genesis(**LONG_EPOCH, pricing={"grace_period_end_epoch": 1}))
    assert node.app.query("price", {"model": MODEL}) | {"updated_height": 0} == {
        "model": MODEL,
        "per_token_price": 0,
        "grace_period": True,
        "utilization_ppm": 0,
        "updated_height": 0,
    }
    request = Request()
    submit(node, ALICE, request.start())
    submit(node, BOB, request.finish())
    record = inference(node, request)
    assert (record["escrow"], record["actual_cost"], record["status"]) == (0, 0, "FINISHED")
    assert node.balance(DEV) == DEV_FUNDS
