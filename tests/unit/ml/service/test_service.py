"""The ML node's gRPC service in this process (a real grpc.aio server on 127.0.0.1, a real client)."""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TypeVar

import grpc

from node.ml.client import MlNodeClient, MlNodeError, ProofBatch
from tests.unit.ml.service.helpers import (
    BLOCK_HASH,
    MODEL,
    PUBLIC_KEY,
    chat_body,
    config,
    expect_error_async,
    serving,
)

T = TypeVar("T")
DEADLINE_S = 30.0


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(scenario(), DEADLINE_S * 2))


async def start_sprint(client: MlNodeClient, block_hash: str = BLOCK_HASH) -> None:
    await client.stop()
    status = await client.init_generate(
        block_hash=block_hash, block_height=3, public_key=PUBLIC_KEY, params="devnet", batch_size=16
    )
    assert status["state"] == "POW" and status["phase"] in ("LOADING", "GENERATING")


async def until_not_busy(call: Callable[[], Awaitable[T]]) -> T:
    """Retry while the node answers RESOURCE_EXHAUSTED, as a client would, up to a deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            return await call()
        except MlNodeError as error:
            if error.code != grpc.StatusCode.RESOURCE_EXHAUSTED or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.05)


async def take(client: MlNodeClient, count: int, from_index: int = 0) -> list[ProofBatch]:
    batches: list[ProofBatch] = []
    async for batch in client.stream_generated(from_index):
        batches.append(batch)
        if len(batches) == count:
            break
    return batches


def test_queue_bound_refuses_with_resource_exhausted() -> None:
    async def scenario() -> None:
        async with serving(config(grpc={"listen": "127.0.0.1:0", "queue_limit": 0})) as (_, client):
            stream = client.chat_stream(chat_body(max_tokens=400, stream=True))
            first = await anext(stream)  # the stream now holds the model's only turn
            assert first["choices"][0]["delta"]["role"] == "assistant"
            await expect_error_async(client.chat(chat_body()), grpc.StatusCode.RESOURCE_EXHAUSTED, "retry later")
            assert (await client.health())["state"] == "INFERENCE"
            await stream.aclose()  # the server learns of the cancel a moment later, then frees the turn
            response = await until_not_busy(lambda: client.chat(chat_body()))
            assert response["choices"][0]["finish_reason"] in ("length", "stop")

    run(scenario)


def test_requests_queue_within_the_bound() -> None:
    async def scenario() -> None:
        async with serving(config(grpc={"listen": "127.0.0.1:0", "queue_limit": 2})) as (_, client):
            results = await asyncio.gather(*(client.chat(chat_body(seed=s)) for s in range(3)))
            assert [len(r["choices"][0]["token_ids"]) for r in results] == [12, 12, 12]

    run(scenario)


def test_health_answers_promptly_during_a_sprint() -> None:
    async def scenario() -> None:
        async with serving(config()) as (_, client):
            await start_sprint(client)
            await take(client, 2)  # generating for sure
            slowest = 0.0
            for _ in range(10):
                began = time.monotonic()
                health = await client.health()
                slowest = max(slowest, time.monotonic() - began)
                assert health["state"] == "POW" and health["pow_phase"] == "GENERATING"
            assert slowest < 1.0, f"Health took {slowest:.2f} s while the sprint ran"
            status = await client.pow_status()
            assert status["nonces_tried"] > 0 and status["rate"] > 0 and status["is_model_initialized"]

    run(scenario)


def test_stream_resumes_and_ends_with_the_sprint() -> None:
    async def scenario() -> None:
        async with serving(config()) as (_, client):
            await start_sprint(client)
            first = await take(client, 3)
            assert [b.batch_index for b in first] == [0, 1, 2]
            assert all(b.block_hash == BLOCK_HASH and b.public_key == PUBLIC_KEY and b.block_height == 3 for b in first)
            tried = [b.nonces_tried_so_far for b in first]
            assert tried == sorted(tried) and all(len(b.nonces) == len(b.dist) > 0 for b in first)
            resumed = await take(client, 2, from_index=1)
            assert resumed == first[1:3]
            follower = asyncio.ensure_future(take(client, 10**6))  # follows until the sprint ends
            stopped = await client.stop()
            assert stopped == {"previous_state": "POW", "state": "STOPPED"}
            everything = await asyncio.wait_for(follower, DEADLINE_S)
            assert everything[:3] == first
            assert [b.batch_index for b in everything] == list(range(len(everything)))
            assert (await client.pow_status())["phase"] == "STOPPED"

    run(scenario)


def test_validate_batch_refusals() -> None:
    async def scenario() -> None:
        async with serving(config()) as (_, client):
            await start_sprint(client)
            [batch] = await take(client, 1)
            validator = {"validator_public_key": "gonka1validator", "poc_start_height": 3}
            await expect_error_async(
                client.validate_batch(batch, **validator),
                grpc.StatusCode.FAILED_PRECONDITION,
                "call InitValidate first",
            )
            await client.init_validate(block_hash=BLOCK_HASH, block_height=3, params="devnet")
            other_block = replace(batch, block_hash="another")
            await expect_error_async(
                client.validate_batch(other_block, **validator),
                grpc.StatusCode.INVALID_ARGUMENT,
                "validation was initialized for",
            )
            too_far = replace(batch, dist=[1.5] * len(batch.dist))
            await expect_error_async(
                client.validate_batch(too_far, **validator), grpc.StatusCode.INVALID_ARGUMENT, "below r_target"
            )
            ragged = replace(batch, dist=batch.dist + [0.1])
            await expect_error_async(
                client.validate_batch(ragged, **validator), grpc.StatusCode.INVALID_ARGUMENT, "equally long"
            )
            await expect_error_async(
                client.validate_batch(batch, validator_public_key=""),
                grpc.StatusCode.INVALID_ARGUMENT,
                "validator_public_key",
            )
            verdict = await client.validate_batch(batch, **validator)
            assert verdict["fraud_detected"] is False and verdict["n_invalid"] == 0
            assert sorted(verdict["nonces"]) == sorted(batch.nonces)
            assert (await client.pow_status())["batches_validated"] == 1

    run(scenario)


def test_models_load_unload_and_tokenize() -> None:
    async def scenario() -> None:
        async with serving(config()) as (_, client):
            second = await client.load_model("devnet-llama-10m-seed1")
            assert second["id"] == "devnet-llama-10m-seed1" and second["fingerprint"].startswith("sha256:")
            listed = await client.list_models()
            assert [m["id"] for m in listed] == [MODEL, "devnet-llama-10m-seed1"]
            assert listed[0]["fingerprint"] != listed[1]["fingerprint"]
            ids = await client.tokenize(MODEL, "hello world")
            assert ids and all(isinstance(i, int) for i in ids)
            await expect_error_async(client.tokenize("nope", "x"), grpc.StatusCode.NOT_FOUND, "unknown model 'nope'")
            assert await client.unload_model("devnet-llama-10m-seed1") == "INFERENCE"
            assert await client.unload_model(MODEL) == "STOPPED"
            await expect_error_async(client.unload_model(MODEL), grpc.StatusCode.NOT_FOUND, "unknown model")
            await expect_error_async(
                client.chat(chat_body()), grpc.StatusCode.FAILED_PRECONDITION, "call LoadModel first"
            )
            await expect_error_async(client.load_model(""), grpc.StatusCode.INVALID_ARGUMENT, "model must not be empty")
            await expect_error_async(client.load_model("devnet-gpt-seed1"), grpc.StatusCode.NOT_FOUND, "unknown model")
            assert (await client.health())["state"] == "STOPPED"  # failed loads changed nothing
            await client.load_model(MODEL)
            assert (await client.health())["state"] == "INFERENCE"

    run(scenario)


def test_metrics_endpoint_counts_requests_and_state() -> None:
    async def scenario() -> None:
        async with serving(config(metrics={"listen": "127.0.0.1:0"})) as (server, client):
            await client.chat(chat_body())
            await expect_error_async(client.chat(chat_body(model="nope")), grpc.StatusCode.NOT_FOUND, "nope")
            url = f"http://127.0.0.1:{server.metrics_port}/metrics"
            text = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read().decode())
            assert 'gonka_ml_requests_total{code="OK",rpc="Chat"} 1.0' in text
            assert 'gonka_ml_requests_total{code="NOT_FOUND",rpc="Chat"} 1.0' in text
            assert f'gonka_ml_tokens_generated_total{{model="{MODEL}"}} 12.0' in text
            assert 'gonka_ml_state{gonka_ml_state="INFERENCE"} 1.0' in text

    run(scenario)
