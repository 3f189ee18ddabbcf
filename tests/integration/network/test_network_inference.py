"""Inference through the full network: the unmodified openai client with the signing transport
(plain and streamed), 50 parallel requests, and the developer CLI (account, infer, query, status)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from click.testing import CliRunner

from gonka_lab.cli import main
from gonka_lab.signing import GonkaSigningTransport
from tests.integration.network_fixtures import (
    ADVERSARIES,
    HONEST,
    JOINER,
    NETWORK_TEST_TIMEOUT_S,
    Network,
    Traffic,
)

pytestmark = pytest.mark.timeout(NETWORK_TEST_TIMEOUT_S)

PARALLEL = 50
SETTLE_TIMEOUT_S = 120
INFERENCE_ADVERSARIES = {name for name, mode in ADVERSARIES.items() if mode in ("wrong-model", "fake-logprobs")}


ENDED = ("FINISHED", "VALIDATED", "INVALIDATED")


def test_openai_client_plain_and_streamed(network: Network) -> None:
    key = network.developer()
    client = network.openai(key, "p2")
    network.wait_phase_room(8)
    messages = [{"role": "user", "content": "Name three prime numbers."}]
    answer = client.chat.completions.create(model=network.model, messages=messages, max_tokens=12)
    assert answer.choices[0].message.content and answer.usage.completion_tokens > 0
    chunks = list(client.chat.completions.create(model=network.model, messages=messages, max_tokens=12,
                                                 stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    (stream_id,) = {c.id for c in chunks}
    assert stream_id != answer.id

    records = network.events.wait_for(
        lambda: network.records_once([answer.id, stream_id], ENDED),
        SETTLE_TIMEOUT_S, "both inferences finishing on chain")
    for record in records.values():
        assert record["requested_by"] == key.address
        assert record["transferred_by"] == network.address("p2")
        assert record["completion_token_count"] > 0


def test_fifty_parallel_inferences_all_finish_or_validate(network: Network, traffic: Traffic) -> None:
    # With the package's background traffic, as when the whole package runs: its validations and
    # invalidation votes share each host's account sequence with the burst's Start and Finish txs,
    # and one that a block makes fail takes the txs queued behind it out of the mempool.
    key = network.developer()
    network.wait_phase_room(15)

    async def burst() -> list[str]:
        clients = [openai.AsyncOpenAI(base_url=network.api_url(p) + "/v1", api_key="unused", max_retries=0,
                                      http_client=httpx.AsyncClient(transport=GonkaSigningTransport(key), timeout=60))
                   for p in HONEST]
        answers = await asyncio.gather(*(
            clients[i % len(clients)].chat.completions.create(
                model=network.model, max_tokens=8, messages=[{"role": "user", "content": f"request {i}"}])
            for i in range(PARALLEL)
        ))
        for client in clients:
            await client.close()
        return [a.id for a in answers]

    ids = asyncio.run(burst())
    assert len(set(ids)) == PARALLEL
    records = network.events.wait_for(
        lambda: network.records_once(ids, ENDED), SETTLE_TIMEOUT_S,
        f"all {PARALLEL} inferences finishing")
    for record in records.values():
        if network.name_of(record["executed_by"]) not in INFERENCE_ADVERSARIES:
            assert record["status"] in ("FINISHED", "VALIDATED"), record["status"]


def _gonka(*args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, (args, result.output)
    return json.loads(result.stdout)


def test_developer_cli(network: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONKA_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GONKA_DEVNET_DIR", str(network.net.dir))
    api = network.api_url("p3")
    created = _gonka("account", "create", "carol", "--node", api)
    assert created["registered"] and created["funded"] > 0
    assert _gonka("query", "balance", created["address"])["amount"] == created["funded"]

    network.wait_phase_room(8)
    plain = _gonka("infer", "Say hello", "--node", api, "--account", "carol", "--max-tokens", "8")
    streamed = _gonka("infer", "Say hello", "--node", api, "--account", "carol", "--max-tokens", "8", "--stream")
    assert plain["content"] and streamed["content"] and plain["id"] != streamed["id"]
    network.events.wait_for(lambda: network.records_once([plain["id"], streamed["id"]], ENDED), SETTLE_TIMEOUT_S,
                            "the CLI's inferences on chain")
    record = _gonka("query", "inference", plain["id"])
    assert record["requested_by"] == created["address"] and record["inference_id"] == plain["id"]

    unknown = CliRunner().invoke(main, ["infer", "x", "--node", api, "--account", "nobody", "--json"])
    assert unknown.exit_code == 1 and "no key named" in json.loads(unknown.stdout)["error"]

    status = _gonka("net", "status")
    rows = {row["name"]: row for row in status["participants"]}
    assert set(rows) >= {*HONEST, *ADVERSARIES, JOINER}
    for row in rows.values():
        assert set(row) >= {"address", "api_url", "epoch", "phase", "weight", "voting_power", "reputation",
                            "status", "balance"}
    assert {row["name"] for row in status["nodes"]} >= {"p1-chain", "p1-ml", "p1-api"}
    assert _gonka("query", "participants")["participants"]
    assert _gonka("query", "settlement", network.address("p1"))["address"] == network.address("p1")
