"""The ML node serves training (training.proto on its one port) through its state machine: a
worker moves it to TRAIN, inference waits, PoW refuses to start a worker, and when the last
worker ends the node serves its still-loaded model again; the api node's sprint leaves a training
ML node alone. Real grpc.aio server in this process, real worker processes and a real lighthouse."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import pytest

from node.api.chain_link import ChainLink
from node.api.context import ApiContext
from node.api.poc import PocRound, start_sprint
from node.api.tx_sender import TxSender
from node.core.keys import AccountKey
from node.ml.client import MlNodeClient
from node.ml.training.lighthouse import start_lighthouse
from node.ml.training.spec import TrainSpec
from node.proto.gonka import training_pb2 as pb
from node.proto.gonka import training_pb2_grpc as pb_grpc
from tests.unit.ml.service.helpers import BLOCK_HASH, MODEL, PUBLIC_KEY, chat_body, config, expect_error_async, serving

DEADLINE_S = 120.0
SPEC = TrainSpec(inner_steps=2, outer_steps=3, min_workers=1, max_workers=1, batch_size=2, seq_len=16,
                 segment_steps=1)


async def until(probe: Callable[[], Awaitable[bool]], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not await probe():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def refused(call: Awaitable[object], code: grpc.StatusCode, contains: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await call
    assert error.value.code() == code, error.value
    assert contains in json.loads(error.value.details())["error"]["message"]


@pytest.mark.slow
def test_training_moves_the_node_to_train_and_back_to_inference(tmp_path: Path) -> None:
    lighthouse, url = start_lighthouse(1, tmp_path / "lighthouse.log")
    start = pb.StartTrainingRequest(task_id=7, spec_json=json.dumps(SPEC.to_dict()), shard=0, num_shards=1,
                                    lighthouse_url=url, replica_id="solo")

    async def scenario() -> None:
        node_config = config(inference={"models": [MODEL], "threads": 1}, training={"home": str(tmp_path / "t")})
        async with serving(node_config) as (server, client):
            training = pb_grpc.TrainingStub(grpc.aio.insecure_channel(f"127.0.0.1:{server.port}"))
            # A sprint runs: no worker may start, and nothing changes.
            await client.stop()
            await client.init_generate(block_hash=BLOCK_HASH, block_height=3, public_key=PUBLIC_KEY,
                                       params="devnet", batch_size=16)
            await refused(training.StartTraining(start), grpc.StatusCode.FAILED_PRECONDITION,
                          "start a training worker is refused in state POW: a PoW job runs")
            assert (await client.health())["state"] == "POW"
            assert (await training.GetTrainingStatus(pb.TrainingStatusRequest(task_id=7))).state == "IDLE"

            await client.stop()
            await client.load_model(MODEL)
            status = await training.StartTraining(start)
            assert status.state == "RUNNING" and status.pid > 0
            assert (await client.health())["state"] == "TRAIN"
            await expect_error_async(client.chat(chat_body()), grpc.StatusCode.FAILED_PRECONDITION, "training runs")
            await refused(training.StartTraining(start), grpc.StatusCode.ALREADY_EXISTS, "already runs")

            async def done() -> bool:
                return (await training.GetTrainingStatus(pb.TrainingStatusRequest(task_id=7))).state == "DONE"

            await until(done, "the worker to finish")
            await until(lambda: _state_is(client, "INFERENCE"), "the node to serve again")
            assert (await client.chat(chat_body()))["choices"]
            final = await training.GetTrainingStatus(pb.TrainingStatusRequest(task_id=7))
            assert final.commits == SPEC.outer_steps and final.final_params_hash.startswith("sha256:")

            # The api node's sprint skips an ML node that trains (Stop would end its workers);
            # StopTraining ends a running worker and the node leaves TRAIN at once.
            again = pb.StartTrainingRequest()
            again.CopyFrom(start)
            again.task_id = 8
            await training.StartTraining(again)
            await start_sprint(_api_context(client, tmp_path), PocRound(20, BLOCK_HASH, "devnet", 26, 29, 10_000),
                               generate=True)
            assert (await client.health())["state"] == "TRAIN"
            assert (await training.GetTrainingStatus(pb.TrainingStatusRequest(task_id=8))).state == "RUNNING"
            stopped = await training.StopTraining(pb.StopTrainingRequest(task_id=8))
            assert stopped.state == "STOPPED" and (await client.health())["state"] == "INFERENCE"
            await refused(training.StopTraining(pb.StopTrainingRequest(task_id=9)), grpc.StatusCode.NOT_FOUND,
                          "no worker for task 9")

    try:
        asyncio.run(asyncio.wait_for(scenario(), DEADLINE_S * 2))
    finally:
        lighthouse.terminate()
        lighthouse.wait(timeout=10)


async def _state_is(client: MlNodeClient, state: str) -> bool:
    return (await client.health())["state"] == state


def _api_context(ml: MlNodeClient, folder: Path) -> ApiContext:
    """An api node's context around one ML node (its chain link is never dialled here)."""
    key = AccountKey.generate()
    chain = ChainLink("127.0.0.1:1")
    return ApiContext(name="api", chain_id="test", key=key, public_url="", chain=chain,
                      tx=TxSender(chain, key, "test"), ml_nodes=[ml], data_dir=folder, model=MODEL)
