"""The api node's public API end to end: a developer's signed requests through p1 (TA) to p2's
executor and ML node, recorded on a real chain (Start + Finish, escrow and payment); every
refusal with its status code; the limiter; PoW-busy executors; the real `openai` client."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from node.api.executor import rewrite_body
from node.api.inference_txs import Request, start_message
from node.api.outbox import Outbox
from node.api.public import build_public_app
from node.core.inference_signing import sign_transfer
from node.core.keys import AccountKey
from node.devnet.supervisor import wait_for
from node.proto.gonka.inference_pb2 import MsgStartInference
from tests.integration import raw_http
from tests.integration.api_fixtures import (
    MODEL,
    ApiNet,
    SigningTransport,
    api_net,  # noqa: F401 - the module's fixture
    register_developer,
    signed_headers,
    wait_inference,
)

pytestmark = pytest.mark.slow

FUNDS = 10**12  # 1000 GNK: far above any escrow here, whatever the price has drifted to
HTTP_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def developer(api_net: ApiNet) -> AccountKey:
    return register_developer(api_net, FUNDS)


def _body(content: str = "Say something about proofs of work.", **extra: Any) -> str:
    return json.dumps({"model": MODEL, "messages": [{"role": "user", "content": content}], "max_tokens": 8, **extra})


def _post(url: str, body: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}/v1/chat/completions", content=body.encode(), headers=headers, timeout=HTTP_TIMEOUT_S)


def _send(net: ApiNet, key: AccountKey, body: str, via: str = "ta", **signing: Any) -> httpx.Response:
    api = getattr(net, via)
    return _post(api.url, body, signed_headers(key, body, api.address, **signing))


def _error(response: httpx.Response, status: int, contains: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == status and error["type"] and contains in error["message"], error


def _balance(net: ApiNet, address: str) -> int:
    with net.chain() as chain:
        return chain.balance(address)


def _sse(lines: Iterator[str]) -> list[Any]:
    """The data payloads of a server-sent event stream, up to and including [DONE]."""
    events: list[Any] = []
    for line in lines:
        if line.startswith("data: "):
            data = line[len("data: ") :]
            events.append(data if data == "[DONE]" else json.loads(data))
            if data == "[DONE]":
                break
    return events


def _hop_headers(net: ApiNet, dev: AccountKey, body: str, ta: AccountKey, stamp: int | None = None) -> dict[str, str]:
    """What p1 sends p2 when it forwards a request; `ta` signs the hop."""
    stamp = time.time_ns() if stamp is None else stamp
    headers = signed_headers(dev, body, net.ta.address, timestamp_ns=stamp)
    headers |= {
        "X-Inference-Id": headers["Authorization"],
        "X-Seed": "1234",
        "X-TA-Signature": sign_transfer(ta, body, stamp, net.ta.address, net.executor.address),
    }
    return headers


# -- the public routes ---------------------------------------------------------------------------


def test_identity_models_status_and_registry_routes(api_net: ApiNet) -> None:
    ta = api_net.ta
    identity = httpx.get(f"{ta.url}/v1/identity").json()
    assert identity == {
        "address": ta.address,
        "pubkey": base64.b64encode(ta.key.public_key).decode(),
        "url": ta.url,
        "chain_id": api_net.devnet.manifest.chain_id,
        "model": MODEL,
    }
    models = httpx.get(f"{ta.url}/v1/models").json()
    assert models["object"] == "list" and MODEL in [m["id"] for m in models["data"]]
    status = httpx.get(f"{api_net.executor.url}/v1/status").json()
    assert status["height"] > 0 and status["ml_nodes"][0]["state"] == "INFERENCE"
    params = httpx.get(f"{ta.url}/chain-api/productscience/inference/inference/params").json()["params"]
    assert params["inference"]["default_max_tokens"] == 5000
    allowed = set(params["transfer_agent_access_params"]["allowed_transfer_addresses"])
    assert {ta.address, api_net.executor.address} <= allowed

    assert ta.address in [p["address"] for p in httpx.get(f"{ta.url}/v1/participants").json()["participants"]]
    assert httpx.get(f"{ta.url}/v1/participants/{api_net.executor.address}").json()["url"] == api_net.executor.url
    _error(httpx.get(f"{ta.url}/v1/participants/{AccountKey.generate().address}"), 404, "not a registered participant")

    current = httpx.get(f"{ta.url}/v1/epochs/current/participants").json()
    urls = {p["index"]: p["inference_url"] for p in current["active_participants"]["participants"]}
    assert urls[api_net.executor.address] == api_net.executor.url and current["excluded_participants"] == []
    _error(httpx.get(f"{ta.url}/v1/epochs/99999/participants"), 404, "no group")
    _error(httpx.get(f"{ta.url}/v1/epochs/latest-ish/participants"), 400, "number or 'current'")


def test_developer_registration_refusals(api_net: ApiNet) -> None:
    url = f"{api_net.ta.url}/v1/participants"
    key = AccountKey.generate()
    pub = base64.b64encode(key.public_key).decode()
    _error(httpx.post(url, json={"pub_key": "AAAA"}), 400, "compressed secp256k1")
    _error(httpx.post(url, json={"pub_key": pub, "address": AccountKey.generate().address}), 400, "is not the address")
    _error(httpx.post(url, json={"pub_key": pub, "url": "http://host"}), 400, "url")
    _error(httpx.post(url, content=b"{", headers={"content-type": "application/json"}), 400, "invalid request")
    answer = httpx.post(url, json={"pub_key": key.public_key.hex()}, timeout=30)  # hex works too
    assert answer.status_code == 200 and answer.json()["address"] == key.address
    _error(httpx.post(url, json={"pub_key": pub}, timeout=30), 409, "already registered")


# -- inference through the TA ----------------------------------------------------------------------


def test_unary_request_is_forwarded_executed_and_recorded_with_payment(api_net: ApiNet, developer: AccountKey) -> None:
    before = _balance(api_net, developer.address)
    body = _body(temperature=0)
    headers = signed_headers(developer, body, api_net.ta.address)
    response = _post(api_net.ta.url, body, headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    inference_id = headers["Authorization"]
    assert answer["id"] == inference_id and len(answer["choices"]) == 1
    content = answer["choices"][0]["logprobs"]["content"]
    assert len(content) == answer["usage"]["completion_tokens"] > 0
    assert all(len(token["top_logprobs"]) >= 5 for token in content)

    record = wait_inference(api_net, inference_id)
    assert record["start_processed"] and record["finish_processed"]
    assert (record["requested_by"], record["transferred_by"], record["executed_by"]) == (
        developer.address, api_net.ta.address, api_net.executor.address,
    )
    assert record["original_prompt"] == body
    payload = json.loads(record["prompt_payload"])
    assert payload["logprobs"] is True and payload["top_logprobs"] == 5 and payload["max_tokens"] == 8
    assert isinstance(payload["seed"], int)
    assert record["prompt_hash"] == hashlib.sha256(record["prompt_payload"].encode()).hexdigest()
    claimed = json.loads(record["response_payload"])
    assert claimed["id"] == inference_id and claimed["choices"][0]["token_ids"]
    assert record["completion_token_count"] == answer["usage"]["completion_tokens"]
    assert record["prompt_token_count"] == answer["usage"]["prompt_tokens"]
    price = record["per_token_price"]
    assert record["actual_cost"] == (record["prompt_token_count"] + record["completion_token_count"]) * price
    assert before - _balance(api_net, developer.address) == record["actual_cost"]  # escrow taken, rest refunded

    route = urllib.parse.quote(inference_id, safe="")
    assert httpx.get(f"{api_net.ta.url}/v1/chat/completions/{route}").json()["status"] == "FINISHED"
    _error(httpx.get(f"{api_net.ta.url}/v1/chat/completions/unknown"), 404, "unknown inference")


def test_streamed_request_on_the_executors_own_ta_escrows_start_first(api_net: ApiNet, developer: AccountKey) -> None:
    before = _balance(api_net, developer.address)
    body = _body("Stream it.", stream=True, max_tokens=12, temperature=0)
    headers = signed_headers(developer, body, api_net.executor.address)
    with httpx.stream(
        "POST", f"{api_net.executor.url}/v1/chat/completions", content=body.encode(), headers=headers, timeout=60
    ) as response:
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = _sse(response.iter_lines())
    assert events[-1] == "[DONE]"
    chunks = events[:-1]
    assert {c["id"] for c in chunks} == {headers["Authorization"]}
    usage = chunks[-1]["usage"]
    logprobs = [e for c in chunks for choice in c["choices"] for e in (choice["logprobs"] or {}).get("content", [])]
    assert len(logprobs) == usage["completion_tokens"] > 0

    record = wait_inference(api_net, headers["Authorization"])
    assert record["executed_by"] == record["transferred_by"] == api_net.executor.address
    price, prompt_chars = record["per_token_price"], len("Stream it.")
    # The TA is the executor: its Start precedes its Finish, so Start set the escrow.
    assert record["max_tokens"] == 12 and record["start_prompt_token_count"] == prompt_chars
    assert record["escrow"] == (12 + prompt_chars) * price
    assert record["completion_token_count"] == usage["completion_tokens"]
    assert before - _balance(api_net, developer.address) == record["actual_cost"]
    assert len(json.loads(record["response_payload"])) == len(chunks)  # the chunks, for validators


def test_the_openai_client_works_through_a_signing_transport(api_net: ApiNet, developer: AccountKey) -> None:
    http_client = httpx.Client(transport=SigningTransport(developer, api_net.ta.address), timeout=HTTP_TIMEOUT_S)
    # openai 3 is typed for its httpx2 fork but takes an httpx client as well
    client = openai.OpenAI(
        base_url=f"{api_net.ta.url}/v1",
        api_key="signed-per-request",
        http_client=http_client,  # type: ignore[arg-type]
        max_retries=0,
    )
    try:
        completion = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hello"}], max_tokens=6, logprobs=True, top_logprobs=5
        )
        logprobs = completion.choices[0].logprobs
        assert logprobs is not None and logprobs.content and len(logprobs.content) > 0
        record = wait_inference(api_net, completion.id)
        assert record["executed_by"] == api_net.executor.address

        stream = client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "Hello again"}], max_tokens=6, stream=True
        )
        chunks = list(stream)
        assert chunks and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
        wait_inference(api_net, chunks[0].id)
    finally:
        http_client.close()


def _ta_start(net: ApiNet, developer: AccountKey, prompt: str) -> MsgStartInference:
    """The Start p1 (the TA) would send for `developer`'s request with `prompt`, routed to p2:
    8 max tokens, the prompt counted as its characters."""
    ta, executor = net.ta, net.executor
    body = _body(prompt)
    headers = signed_headers(developer, body, ta.address)
    stamp = int(headers["X-Timestamp"])
    request = Request(headers["Authorization"], developer.address, ta.address, stamp, body,
                      sign_transfer(ta.key, body, stamp, ta.address, executor.address), MODEL)
    return start_message(request, executor.address, rewrite_body(json.loads(body), 1, 5000), 8, len(prompt))


def test_a_start_without_finish_expires_and_refunds_the_escrow(api_net: ApiNet) -> None:
    """The executor never reports (say it crashed once the TA's Start was out): the chain expires
    the inference `expiration_blocks` after its Start and gives the requester the whole escrow back."""
    developer = register_developer(api_net, FUNDS)
    start = _ta_start(api_net, developer, "Nobody will answer this.")
    sent = api_net.services.run(api_net.ta.ctx.tx.send([start], wait=True))  # what the TA sends
    assert sent.committed and sent.code == 0, sent

    record = wait_inference(api_net, start.inference_id, ("EXPIRED",), timeout_s=60)
    with api_net.chain() as chain:
        expiration = chain.query("params")["inference"]["expiration_blocks"]
    assert record["expires_at_height"] == sent.height + expiration
    assert record["escrow"] == (8 + len("Nobody will answer this.")) * record["per_token_price"] > 0
    assert _balance(api_net, developer.address) == FUNDS  # all of it back


def test_a_restarted_node_sends_the_start_its_outbox_still_holds(api_net: ApiNet) -> None:
    """The TA was killed after its Start went into the outbox and before it was sent: the node
    started again over the same data folder sends it, and the outbox lets it go once it landed."""
    developer = register_developer(api_net, FUNDS)
    start = _ta_start(api_net, developer, "Sent by the next run of this node.")
    outbox_folder = api_net.ta.ctx.data_dir
    Outbox(outbox_folder).put(start)

    restarted = build_public_app(api_net.ta.ctx)

    async def start_and_stop() -> None:  # stopping drains the txs in flight: the Start's send
        async with restarted.router.lifespan_context(restarted):
            pass

    api_net.services.run(start_and_stop())
    record = wait_inference(api_net, start.inference_id, ("STARTED", "EXPIRED"), timeout_s=30)
    assert record["requested_by"] == developer.address and record["executed_by"] == api_net.executor.address
    assert all(m.inference_id != start.inference_id for _, m in Outbox(outbox_folder).pending())


# -- refusals --------------------------------------------------------------------------------------


def test_signature_refusals_are_401(api_net: ApiNet, developer: AccountKey) -> None:
    body = _body()
    to_p2 = signed_headers(developer, body, api_net.executor.address)  # addressed to another TA
    _error(_post(api_net.ta.url, body, to_p2), 401, "addressed to transfer agent")
    to_p2.pop("X-Transfer-Address")
    _error(_post(api_net.ta.url, body, to_p2), 401, "does not verify")
    other_body = signed_headers(developer, _body("other"), api_net.ta.address)
    _error(_post(api_net.ta.url, body, other_body), 401, "does not verify")
    stranger = AccountKey.generate()
    _error(_send(api_net, stranger, body), 401, "no public key on chain")
    _error(_post(api_net.ta.url, body, {"Content-Type": "application/json"}), 401, "missing Authorization")


_FRAMING_HEAD = b"POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n"


@pytest.mark.parametrize("request_bytes", [
    _FRAMING_HEAD + b"Transfer-Encoding: chunked\r\n\r\nZZ\r\nabc\r\n0\r\n\r\n",  # not a chunk size
    _FRAMING_HEAD + b"X-Timestamp: 1\x00\r\nContent-Length: 2\r\n\r\n{}",  # NUL in a header
], ids=["bad chunk size", "NUL in a header"])
def test_malformed_http_framing_is_a_json_400(api_net: ApiNet, request_bytes: bytes) -> None:
    status, head, body = raw_http.first_answer(raw_http.exchange(api_net.ta.url, request_bytes, HTTP_TIMEOUT_S))
    assert status == 400 and b"content-type: application/json" in head.lower(), head
    error = json.loads(body)["error"]
    assert error["code"] == 400 and error["type"] == "invalid_request_error", error
    assert error["message"].startswith("malformed HTTP request"), error


def test_executor_refuses_a_bad_hop_with_401(api_net: ApiNet, developer: AccountKey) -> None:
    body = _body()
    p1 = api_net.ta.key
    forged = _hop_headers(api_net, developer, body, ta=developer)  # not p1's signature
    _error(_post(api_net.executor.url, body, forged), 401, "transfer agent signature does not verify")
    not_a_host = signed_headers(developer, body, developer.address)  # the developer plays its own TA
    stamp = int(not_a_host["X-Timestamp"])
    not_a_host |= {
        "X-Inference-Id": not_a_host["Authorization"],
        "X-Seed": "1",
        "X-TA-Signature": sign_transfer(developer, body, stamp, developer.address, api_net.executor.address),
    }
    _error(_post(api_net.executor.url, body, not_a_host), 401, "not a registered host")
    good = _hop_headers(api_net, developer, body, ta=p1)
    _error(_post(api_net.executor.url, body, good | {"X-Inference-Id": "x"}), 401, "X-Inference-Id")


def test_stale_or_early_timestamps_and_replays_are_400(api_net: ApiNet, developer: AccountKey) -> None:
    body = _body()
    _error(_send(api_net, developer, body, timestamp_ns=time.time_ns() - 120 * 10**9), 400, "too old")
    _error(_send(api_net, developer, body, timestamp_ns=time.time_ns() + 120 * 10**9), 400, "too far ahead")
    headers = signed_headers(developer, body, api_net.ta.address)
    assert _post(api_net.ta.url, body, headers).status_code == 200
    _error(_post(api_net.ta.url, body, headers), 400, "already used")
    # the executor remembers the id too: the same request forwarded again by a (real) TA
    hop = _hop_headers(api_net, developer, body, ta=api_net.ta.key, stamp=int(headers["X-Timestamp"]))
    _error(_post(api_net.executor.url, body, hop), 400, "already used")
    stale = _hop_headers(api_net, developer, body, ta=api_net.ta.key, stamp=time.time_ns() - 120 * 10**9)
    _error(_post(api_net.executor.url, body, stale), 400, "too old")


def test_body_model_and_payment_refusals(api_net: ApiNet, developer: AccountKey) -> None:
    _error(_send(api_net, developer, "{not json"), 400, "not valid UTF-8 JSON")
    _error(_send(api_net, developer, "[1, 2]"), 400, "JSON object")
    _error(_send(api_net, developer, json.dumps({"messages": []})), 400, "model")
    _error(_send(api_net, developer, _body(max_tokens=0)), 400, "max_tokens")
    huge = _body("x" * (1 << 20))
    _error(_send(api_net, developer, huge), 413, "over 1048576 bytes")
    _error(_send(api_net, developer, _body(temperature=7)), 400, "temperature")  # the ML node's own check

    poor = register_developer(api_net, funds=0)
    unknown_model = json.dumps({"model": "no-such-model", "messages": [{"role": "user", "content": "hi"}]})
    _error(_send(api_net, poor, unknown_model), 404, "not in the chain's model registry")  # 404 before 402
    body = _body()
    headers = signed_headers(poor, body, api_net.ta.address)
    _error(_post(api_net.ta.url, body, headers), 402, "insufficient balance")
    # The refusal changed nothing: once funded, the very same signed request goes through.
    with api_net.chain() as chain:
        assert chain.send_tokens(api_net.faucet, poor.address, FUNDS, wait=True)["code"] == 0
    assert _post(api_net.ta.url, body, headers).status_code == 200


def test_limiter_answers_429_until_the_stream_in_flight_ends_which_is_still_paid(
    api_net: ApiNet, developer: AccountKey
) -> None:
    long_stream = _body("Go on.", stream=True, max_tokens=900, temperature=0)
    headers = signed_headers(developer, long_stream, api_net.ta.address)
    with httpx.stream(
        "POST", f"{api_net.ta.url}/v1/chat/completions", content=long_stream.encode(), headers=headers, timeout=60
    ) as held:
        assert held.status_code == 200
        lines = held.iter_lines()
        assert next(line for line in lines if line.startswith("data: "))  # accepted and in flight
        refused = _send(api_net, developer, _body(max_tokens=900))
        _error(refused, 429, "bandwidth limit")
        assert int(refused.headers["Retry-After"]) >= 1
    # The client hung up: the charge is released and the executor records what it produced.

    def accepted() -> bool:
        response = _send(api_net, developer, _body(max_tokens=400, temperature=0))
        assert response.status_code in (200, 429), response.text
        return response.status_code == 200

    assert wait_for(accepted, 30, 0.5)
    record = wait_inference(api_net, headers["Authorization"])
    produced = json.loads(record["response_payload"])
    tokens = sum(len(choice["token_ids"]) for chunk in produced for choice in chunk["choices"])
    assert 0 < record["completion_token_count"] == tokens < 900
    assert record["actual_cost"] == (record["prompt_token_count"] + tokens) * record["per_token_price"] > 0
    metrics = httpx.get(f"{api_net.ta.url}/metrics").text
    refusals = re.search(r"^gonka_api_limiter_refusals_total (\S+)$", metrics, re.M)
    assert refusals is not None and float(refusals.group(1)) >= 1
    assert 'gonka_api_inferences_total{outcome="served",role="ta"}' in metrics


def test_executor_busy_with_pow_answers_503_then_serves_again(api_net: ApiNet, developer: AccountKey) -> None:
    async def start_pow() -> None:
        ml = api_net.ml_client()
        await ml.stop()
        await ml.init_generate(block_hash="ab" * 32, block_height=1, public_key="pow-test", params="devnet")

    api_net.services.run(start_pow())
    try:
        body = _body()
        hop = _hop_headers(api_net, developer, body, ta=api_net.ta.key)
        busy = _post(api_net.executor.url, body, hop)
        _error(busy, 503, "Proof of Work")
        assert int(busy.headers["Retry-After"]) >= 1
        through_ta = _send(api_net, developer, _body("again"))
        _error(through_ta, 503, "")
        assert "Retry-After" in through_ta.headers
    finally:
        api_net.services.run(api_net.ml_client().stop())
    # The ML node is STOPPED now: the executor brings the model up again by itself.
    response = _send(api_net, developer, _body("after the sprint"))
    assert response.status_code == 200, response.text
    wait_inference(api_net, response.json()["id"])
