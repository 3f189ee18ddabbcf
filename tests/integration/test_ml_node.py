"""A real `gonka node ml --config FILE` process, driven over gRPC by the client the api node uses.

One node serves the whole module; each test first puts it in the state it needs (as the api node
does: Stop, then LoadModel or a PoW init). A second, in-process node plays the `fake-pow` cheater.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import numpy as np
import pytest

from node.devnet.ports import free_ports
from node.devnet.supervisor import wait_for
from node.ml.client import MlNodeError, ProofBatch, SyncMlNodeClient
from node.ml.pow.engine import PowEngine
from node.ml.pow.params import R_TARGET, PowParams
from node.proto.gonka import ml_pb2 as pb
from node.proto.gonka import ml_pb2_grpc as pb_grpc
from tests.unit.ml.service.helpers import (
    BLOCK_HASH,
    MODEL,
    PUBLIC_KEY,
    chat_body,
    config,
    expect_error,
    serving,
)

START_TIMEOUT_S = 90.0
BLOCK_HEIGHT = 40
VALIDATOR = "gonka1validatorpublickey"
SPRINT_NONCES = 40  # valid nonces to collect; about 800 tried at the devnet's ~5 %


@dataclass
class MlProcess:
    process: subprocess.Popen[bytes]
    url: str
    metrics_url: str
    log: Path
    client: SyncMlNodeClient


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


def _answers(client: SyncMlNodeClient) -> bool:
    try:
        client.health(timeout_s=2)
        return True
    except MlNodeError:
        return False


@pytest.fixture(scope="module")
def ml_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlProcess]:
    folder = tmp_path_factory.mktemp("ml-node")
    grpc_port, metrics_port = free_ports(2)
    config_path = folder / "ml.toml"
    config_path.write_text(
        f'name = "it-ml"\n[grpc]\nlisten = "127.0.0.1:{grpc_port}"\n[metrics]\nlisten = "127.0.0.1:{metrics_port}"\n'
        f'[pow]\nthreads = 1\nbatch_size = 32\n[inference]\nmodels = ["{MODEL}"]\n'
    )
    log = folder / "ml.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gonka_lab.cli", "node", "ml", "--config", str(config_path)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_env(),
        )
    client = SyncMlNodeClient(f"127.0.0.1:{grpc_port}", timeout_s=60)
    node = MlProcess(process, f"127.0.0.1:{grpc_port}", f"http://127.0.0.1:{metrics_port}/metrics", log, client)
    try:
        up = wait_for(lambda: process.poll() is not None or _answers(client), START_TIMEOUT_S, 0.2)
        assert up and process.poll() is None, f"the ML node did not come up:\n{log.read_text()}"
        yield node
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0, f"SIGTERM did not stop the node cleanly:\n{log.read_text()}"
    finally:
        client.close()
        if process.poll() is None:
            process.kill()
            process.wait()


def inference_up(client: SyncMlNodeClient) -> None:
    client.stop()
    assert client.load_model(MODEL)["id"] == MODEL
    assert client.health()["state"] == "INFERENCE"


def test_health_shows_the_preloaded_model(ml_node: MlProcess) -> None:
    health = ml_node.client.health()
    assert health["name"] == "it-ml" and health["state"] == "INFERENCE"
    assert [m["id"] for m in health["models"]] == [MODEL]
    assert health["models"][0]["fingerprint"].startswith("sha256:") and health["models"][0]["context_length"] > 0
    assert health["pow_adversary"] == "" and health["inference_adversary"] == ""
    assert health["uptime_s"] > 0 and health["pow_phase"] == "IDLE"


def test_chat_unary_and_streaming_with_logprobs(ml_node: MlProcess) -> None:
    client = ml_node.client
    inference_up(client)
    response = client.chat(chat_body())
    choice = response["choices"][0]
    assert response["object"] == "chat.completion" and response["model"] == MODEL
    assert len(choice["token_ids"]) == response["usage"]["completion_tokens"] == 12
    entries = choice["logprobs"]["content"]
    assert len(entries) == 12 and all(len(e["top_logprobs"]) == 5 and e["logprob"] <= 0 for e in entries)

    chunks = list(client.chat_stream(chat_body(stream=True, stream_options={"include_usage": True})))
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] == 12
    streamed = [c["choices"][0] for c in chunks[:-1]]
    assert "".join(s["delta"].get("content", "") for s in streamed) == choice["message"]["content"]
    assert [t for s in streamed for t in s["token_ids"]] == choice["token_ids"]  # same seed, same tokens
    assert sum(len(s["logprobs"]["content"]) for s in streamed if s["logprobs"]) == 12


def test_validate_inference_passes_honest_and_fails_tampered(ml_node: MlProcess) -> None:
    client = ml_node.client
    inference_up(client)
    request = chat_body(max_tokens=20)
    response = client.chat(request)
    verdict = client.validate_inference(request, response)
    assert verdict["passed"] is True and verdict["reason"] == ""
    assert verdict["similarity"] > verdict["threshold"] and verdict["tokens"] == 20

    chunks = list(client.chat_stream({**request, "stream": True}))
    assert client.validate_inference(request, chunks)["passed"] is True

    for entry in response["choices"][0]["logprobs"]["content"]:
        for top in entry["top_logprobs"]:
            top["logprob"] *= 1.5  # a host reporting logprobs it did not compute
    tampered = client.validate_inference(request, response)
    assert tampered["passed"] is False and "similarity" in tampered["reason"]


def _raw_stub(url: str) -> Callable[[str, Any], Any]:
    """Calls that send what the client never would (garbage JSON)."""

    def call(method: str, request: Any) -> Any:
        with grpc.insecure_channel(url) as channel:
            rpc = getattr(pb_grpc.MlNodeStub(channel), method)
            result = rpc(request, timeout=30)
            return list(result) if method == "ChatStream" else result

    return call


def _refused_raw(call: Callable[[], Any], code: grpc.StatusCode, contains: str) -> None:
    with pytest.raises(grpc.RpcError) as refused:
        call()
    assert refused.value.code() == code and contains in refused.value.details()


BAD_REQUESTS: dict[str, Callable[[SyncMlNodeClient, Callable[[str, Any], Any]], None]] = {
    "unknown model": lambda c, raw: expect_error(
        lambda: c.chat(chat_body(model="devnet-llama-10m-seed99")), grpc.StatusCode.NOT_FOUND, "unknown model"
    ),
    "unknown model, streaming": lambda c, raw: expect_error(
        lambda: list(c.chat_stream(chat_body(model="missing"))), grpc.StatusCode.NOT_FOUND, "unknown model 'missing'"
    ),
    "prompt too long": lambda c, raw: expect_error(
        lambda: c.chat(chat_body(content="proof " * 2000)), grpc.StatusCode.INVALID_ARGUMENT, "maximum context length"
    ),
    "max_tokens past the context": lambda c, raw: expect_error(
        lambda: c.chat(chat_body(max_tokens=100_000)), grpc.StatusCode.INVALID_ARGUMENT, "maximum context length"
    ),
    "invalid temperature": lambda c, raw: expect_error(
        lambda: c.chat(chat_body(temperature=9)), grpc.StatusCode.INVALID_ARGUMENT, "temperature"
    ),
    "invalid top_logprobs": lambda c, raw: expect_error(
        lambda: list(c.chat_stream(chat_body(top_logprobs=50))), grpc.StatusCode.INVALID_ARGUMENT, "top_logprobs"
    ),
    "no messages": lambda c, raw: expect_error(
        lambda: c.chat(chat_body() | {"messages": []}), grpc.StatusCode.INVALID_ARGUMENT, "messages"
    ),
    "garbage JSON": lambda c, raw: _refused_raw(
        lambda: raw("Chat", pb.ChatRequest(request_json="{not json")),
        grpc.StatusCode.INVALID_ARGUMENT,
        "not valid JSON",
    ),
    "garbage JSON, streaming": lambda c, raw: _refused_raw(
        lambda: raw("ChatStream", pb.ChatRequest(request_json="")), grpc.StatusCode.INVALID_ARGUMENT, "not valid JSON"
    ),
    "JSON that is not an object": lambda c, raw: _refused_raw(
        lambda: raw("Chat", pb.ChatRequest(request_json="[1, 2]")), grpc.StatusCode.INVALID_ARGUMENT, "JSON object"
    ),
    "garbage claimed response": lambda c, raw: _refused_raw(
        lambda: raw(
            "ValidateInference",
            pb.ValidateInferenceRequest(request_json='{"model": "m"}', claimed_response_json="]["),
        ),
        grpc.StatusCode.INVALID_ARGUMENT,
        "claimed_response_json is not valid JSON",
    ),
    "PoW while inference runs": lambda c, raw: expect_error(
        lambda: c.init_generate(block_hash=BLOCK_HASH, block_height=1, public_key=PUBLIC_KEY, params="devnet"),
        grpc.StatusCode.FAILED_PRECONDITION,
        "call Stop first",
    ),
    "PoW validation while inference runs": lambda c, raw: expect_error(
        lambda: c.validate_batch(ProofBatch(BLOCK_HASH, PUBLIC_KEY, 1, 0, [1], [1.0]), validator_public_key=VALIDATOR),
        grpc.StatusCode.FAILED_PRECONDITION,
        "refused in state INFERENCE",
    ),
    "bad PoW init": lambda c, raw: expect_error(
        lambda: c.init_generate(block_hash="", block_height=1, public_key=PUBLIC_KEY, params="devnet"),
        grpc.StatusCode.INVALID_ARGUMENT,
        "block_hash must not be empty",
    ),
}


@pytest.mark.parametrize("case", list(BAD_REQUESTS))
def test_bad_request_gets_a_clear_error_and_the_node_stays_healthy(ml_node: MlProcess, case: str) -> None:
    client = ml_node.client
    if client.health()["state"] != "INFERENCE":
        inference_up(client)
    BAD_REQUESTS[case](client, _raw_stub(ml_node.url))
    health = client.health()
    assert health["state"] == "INFERENCE" and [m["id"] for m in health["models"]] == [MODEL]
    assert health["pow_phase"] == "IDLE"  # a refused PoW init started nothing
    assert client.chat(chat_body(max_tokens=2))["usage"]["completion_tokens"] == 2


def _sprint(client: SyncMlNodeClient, public_key: str, wanted: int) -> list[ProofBatch]:
    """Stop, sprint on BLOCK_HASH until `wanted` valid nonces are in, stop."""
    client.stop()
    status = client.init_generate(
        block_hash=BLOCK_HASH, block_height=BLOCK_HEIGHT, public_key=public_key, params="devnet"
    )
    assert status["state"] == "POW"
    batches: list[ProofBatch] = []
    for batch in client.stream_generated():
        batches.append(batch)
        if sum(len(b.nonces) for b in batches) >= wanted:
            break
    client.stop()
    return batches


def _merged(batches: list[ProofBatch]) -> ProofBatch:
    first = batches[0]
    nonces = [n for b in batches for n in b.nonces]
    dists = [d for b in batches for d in b.dist]
    return ProofBatch(first.block_hash, first.public_key, first.block_height, first.node_id, nonces, dists)


@pytest.fixture(scope="module")
def honest_sprint(ml_node: MlProcess) -> list[ProofBatch]:
    return _sprint(ml_node.client, PUBLIC_KEY, SPRINT_NONCES)


def test_sprint_streams_valid_nonces_that_recompute_identically(
    ml_node: MlProcess, honest_sprint: list[ProofBatch]
) -> None:
    batch = _merged(honest_sprint)
    assert len(batch.nonces) >= SPRINT_NONCES and len(set(batch.nonces)) == len(batch.nonces)
    assert all(d < R_TARGET for d in batch.dist)
    assert [b.batch_index for b in honest_sprint] == list(range(len(honest_sprint)))
    assert all(b.block_height == BLOCK_HEIGHT and b.node_id == 0 for b in honest_sprint)
    recomputed = PowEngine(PowParams.named("devnet"), BLOCK_HASH, PUBLIC_KEY).distances(batch.nonces)
    assert np.array_equal(recomputed, np.asarray(batch.dist))
    status = ml_node.client.pow_status()
    assert status["phase"] == "STOPPED" and status["nonces_tried"] >= honest_sprint[-1].nonces_tried_so_far
    assert status["valid_found"] >= len(batch.nonces) and status["rate"] > 0


def test_honest_batch_validates_without_fraud(ml_node: MlProcess, honest_sprint: list[ProofBatch]) -> None:
    client = ml_node.client
    client.stop()
    client.init_validate(block_hash=BLOCK_HASH, block_height=BLOCK_HEIGHT, params="devnet")
    claimed = _merged(honest_sprint)
    verdict = client.validate_batch(claimed, validator_public_key=VALIDATOR, poc_start_height=BLOCK_HEIGHT)
    assert verdict["fraud_detected"] is False and verdict["n_invalid"] == 0
    assert verdict["sample_size"] == len(claimed.nonces) and verdict["probability_honest"] == 1.0
    assert sorted(verdict["nonces"]) == sorted(claimed.nonces)
    assert all(d < R_TARGET for d in verdict["dist"])
    assert client.health()["pow_phase"] == "VALIDATING"


def test_fake_pow_batch_is_caught_as_fraud(ml_node: MlProcess) -> None:
    async def cheat() -> list[ProofBatch]:
        cheater = config(pow={"threads": 1, "batch_size": 32, "adversary": "fake-pow"}, inference={"models": []})
        async with serving(cheater) as (_, client):
            health = await client.health()
            assert health["pow_adversary"] == "fake-pow" and health["state"] == "STOPPED"
            await client.init_generate(
                block_hash=BLOCK_HASH, block_height=BLOCK_HEIGHT, public_key="gonka1cheater", params="devnet"
            )
            batches: list[ProofBatch] = []
            async for batch in client.stream_generated():
                batches.append(batch)
                if sum(len(b.nonces) for b in batches) >= SPRINT_NONCES:
                    break
            return batches

    claimed = _merged(asyncio.run(asyncio.wait_for(cheat(), 120)))
    assert all(d < R_TARGET for d in claimed.dist)  # the claims look valid
    client = ml_node.client
    client.stop()
    client.init_validate(block_hash=BLOCK_HASH, block_height=BLOCK_HEIGHT, params="devnet")
    verdict = client.validate_batch(claimed, validator_public_key=VALIDATOR, poc_start_height=BLOCK_HEIGHT)
    assert verdict["fraud_detected"] is True and verdict["n_invalid"] >= 5
    assert verdict["probability_honest"] < verdict["fraud_threshold"]


def test_metrics_count_what_the_node_did(ml_node: MlProcess) -> None:
    text = urllib.request.urlopen(ml_node.metrics_url, timeout=10).read().decode()
    assert 'gonka_ml_requests_total{code="OK",rpc="Health"}' in text
    assert 'gonka_ml_requests_total{code="FAILED_PRECONDITION",rpc="InitGenerate"} 1.0' in text
    assert 'gonka_ml_poc_validations_total{result="honest"} 1.0' in text
    assert 'gonka_ml_poc_validations_total{result="fraud"} 1.0' in text
    assert 'gonka_ml_inference_validations_total{result="failed"} 1.0' in text
    assert 'gonka_ml_state{gonka_ml_state="POW"} 1.0' in text
    assert "gonka_ml_pow_nonces_tried_total" in text and "gonka_ml_tokens_generated_total" in text


def test_bad_config_exits_non_zero_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('name = "x"\n[grpc]\nlisten = "127.0.0.1:1"\n[pow]\nadversary = "lazy"\n')
    done = subprocess.run(
        [sys.executable, "-m", "gonka_lab.cli", "node", "ml", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    assert done.returncode == 2
    assert "gonka node ml:" in done.stderr and "[pow] adversary must be" in done.stderr
