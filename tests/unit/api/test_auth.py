"""Every way a signed request is refused at the TA and the executor, with its status code."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import HTTPException

from node.api.auth import (
    NS,
    TIMESTAMP_ADVANCE_NS,
    TIMESTAMP_EXPIRATION_NS,
    Authenticator,
    ReplayGuard,
    SignedRequest,
    TransferClaim,
    is_forwarded,
    read_signed_request,
    read_transfer_claim,
)
from node.core.inference_signing import sign_request, sign_transfer
from node.core.keys import AccountKey

DEVELOPER = AccountKey.generate()
TA = AccountKey.generate()
EXECUTOR = AccountKey.generate()
STRANGER = AccountKey.generate()  # has no key on chain
BODY = '{"model":"m","messages":[{"role":"user","content":"hi"}]}'
NOW = 1_800_000_000 * NS


def _headers(
    key: AccountKey = DEVELOPER, body: str = BODY, stamp: int = NOW, ta: str = TA.address, **extra: str
) -> dict[str, str]:
    headers = {
        "authorization": sign_request(key, body, stamp, ta),
        "x-requester-address": key.address,
        "x-timestamp": str(stamp),
    }
    headers.update({name.replace("_", "-"): value for name, value in extra.items()})
    return headers


def _status(call: Any, status: int, contains: str) -> None:
    with pytest.raises(HTTPException) as refused:
        result = call()
        if asyncio.iscoroutine(result):
            asyncio.run(result)
    assert refused.value.status_code == status, refused.value.detail
    assert contains in refused.value.detail


async def _keys(address: str) -> bytes | None:
    return {k.address: k.public_key for k in (DEVELOPER, TA, EXECUTOR)}.get(address)


def _auth() -> Authenticator:
    return Authenticator(_keys)


def _signed(**overrides: Any) -> SignedRequest:
    return read_signed_request(_headers(**overrides), BODY, TA.address)


# -- header parsing ------------------------------------------------------------------------------


def test_a_well_signed_request_reads_and_verifies() -> None:
    request = _signed()
    assert (request.requester, request.timestamp_ns, request.transfer_address) == (DEVELOPER.address, NOW, TA.address)
    auth = _auth()
    asyncio.run(auth.check_developer(request))
    auth.check_fresh(request, NOW)


def test_bearer_prefix_of_openai_clients_is_accepted() -> None:
    headers = _headers()
    headers["authorization"] = "Bearer " + headers["authorization"]
    assert read_signed_request(headers, BODY, TA.address).inference_id == _headers()["authorization"]


@pytest.mark.parametrize(
    ("change", "status", "contains"),
    [
        ({"authorization": ""}, 401, "missing Authorization"),
        ({"authorization": "not-base64!"}, 401, "base64 64-byte"),
        ({"authorization": "AAAA"}, 401, "base64 64-byte"),
        ({"x-requester-address": ""}, 401, "X-Requester-Address"),
        ({"x-requester-address": "cosmos1abc"}, 401, "X-Requester-Address"),
        ({"x-transfer-address": "gonka1bad"}, 401, "X-Transfer-Address"),
        ({"x-timestamp": ""}, 400, "missing X-Timestamp"),
        ({"x-timestamp": "yesterday"}, 400, "must be an integer"),
        ({"x-timestamp": "-5"}, 400, "out of range"),
    ],
)
def test_malformed_headers_are_refused(change: dict[str, str], status: int, contains: str) -> None:
    headers = _headers() | change
    _status(lambda: read_signed_request(headers, BODY, TA.address), status, contains)


def test_forwarded_requests_are_recognised_by_the_ta_headers() -> None:
    assert not is_forwarded(_headers())
    assert is_forwarded(_headers(x_ta_signature="x"))
    assert is_forwarded(_headers(x_inference_id="x"))


# -- developer signature ---------------------------------------------------------------------------


def test_signature_over_another_body_is_401() -> None:
    request = read_signed_request(_headers(body=BODY + " "), BODY, TA.address)
    _status(lambda: _auth().check_developer(request), 401, "does not verify")


def test_signature_for_another_transfer_agent_is_401() -> None:
    # signed for EXECUTOR as TA, presented to TA
    request = read_signed_request(_headers(ta=EXECUTOR.address), BODY, TA.address)
    _status(lambda: _auth().check_developer(request), 401, "does not verify")


def test_signature_by_another_key_than_the_requester_is_401() -> None:
    headers = _headers(key=TA)
    headers["x-requester-address"] = DEVELOPER.address
    request = read_signed_request(headers, BODY, TA.address)
    _status(lambda: _auth().check_developer(request), 401, "does not verify")


def test_requester_without_a_key_on_chain_is_401() -> None:
    request = read_signed_request(_headers(key=STRANGER), BODY, TA.address)
    _status(lambda: _auth().check_developer(request), 401, "no public key on chain")


def test_signature_with_another_timestamp_is_401() -> None:
    headers = _headers() | {"x-timestamp": str(NOW + 1)}
    request = read_signed_request(headers, BODY, TA.address)
    _status(lambda: _auth().check_developer(request), 401, "does not verify")


# -- timestamp window and replay -----------------------------------------------------------------


def test_timestamp_window_edges() -> None:
    auth = _auth()
    auth.check_fresh(_signed(stamp=NOW - TIMESTAMP_EXPIRATION_NS), NOW)
    auth.check_fresh(_signed(stamp=NOW + TIMESTAMP_ADVANCE_NS), NOW)
    _status(lambda: auth.check_fresh(_signed(stamp=NOW - TIMESTAMP_EXPIRATION_NS - 1), NOW), 400, "too old")
    _status(lambda: auth.check_fresh(_signed(stamp=NOW + TIMESTAMP_ADVANCE_NS + 1), NOW), 400, "too far ahead")


def test_reference_time_never_moves_back() -> None:
    auth = _auth()
    auth.check_fresh(_signed(), NOW)
    # A lagging chain view (20 s behind) must not reopen the window for a 75 s old request.
    _status(lambda: auth.check_fresh(_signed(stamp=NOW - 75 * NS), NOW - 20 * NS), 400, "too old")


def test_a_claimed_signature_is_a_replay_until_released() -> None:
    auth = _auth()
    request = _signed()
    auth.check_fresh(request, NOW)
    auth.claim(request)
    _status(lambda: auth.check_fresh(request, NOW), 400, "already used")
    _status(lambda: auth.claim(request), 400, "already used")
    auth.release(request)
    auth.check_fresh(request, NOW)


def test_replay_memory_forgets_ids_only_once_their_timestamp_is_out_of_the_window() -> None:
    guard = ReplayGuard(window_ns=60 * NS)
    assert guard.claim("a", NOW, NOW)
    assert guard.seen("a", NOW + 60 * NS)  # still acceptable by timestamp: still remembered
    assert not guard.seen("a", NOW + 60 * NS + 1)
    assert len(guard) == 0


def test_full_replay_memory_fails_closed_with_503() -> None:
    guard = ReplayGuard(window_ns=60 * NS, capacity=2)
    assert guard.claim("a", NOW, NOW) and guard.claim("b", NOW, NOW)
    _status(lambda: guard.claim("c", NOW, NOW), 503, "too many")
    assert guard.claim("c", NOW + 61 * NS, NOW + 61 * NS)  # a and b expired meanwhile


# -- the executor's checks of the TA hop ---------------------------------------------------------


def _forwarded(
    ta_key: AccountKey = TA, executor: str = EXECUTOR.address, changes: dict[str, str] | None = None
) -> dict[str, str]:
    headers = _headers(x_transfer_address=TA.address)
    headers["x-inference-id"] = headers["authorization"]
    headers["x-seed"] = "42"
    headers["x-ta-signature"] = sign_transfer(ta_key, BODY, NOW, TA.address, executor)
    return headers | (changes or {})


def _claim_of(headers: dict[str, str]) -> tuple[SignedRequest, TransferClaim]:
    request = read_signed_request(headers, BODY, "")
    return request, read_transfer_claim(headers, request)


def test_a_well_signed_hop_verifies_at_the_executor() -> None:
    request, claim = _claim_of(_forwarded())
    assert claim.seed == 42
    asyncio.run(_auth().check_transfer_agent(request, claim, EXECUTOR.address))


@pytest.mark.parametrize(
    ("change", "status", "contains"),
    [
        ({"x-inference-id": "other"}, 401, "X-Inference-Id"),
        ({"x-ta-signature": ""}, 401, "X-TA-Signature"),
        ({"x-seed": "seven"}, 400, "X-Seed"),
        ({"x-seed": "-1"}, 400, "X-Seed out of range"),
    ],
)
def test_malformed_hop_headers_are_refused(change: dict[str, str], status: int, contains: str) -> None:
    headers = _forwarded(changes=change)
    request = read_signed_request(headers, BODY, "")
    _status(lambda: read_transfer_claim(headers, request), status, contains)


def test_a_hop_without_transfer_address_is_401() -> None:
    headers = _forwarded()
    del headers["x-transfer-address"]
    _status(lambda: read_signed_request(headers, BODY, ""), 401, "X-Transfer-Address")


def test_ta_signature_by_another_key_is_401() -> None:
    request, claim = _claim_of(_forwarded(ta_key=EXECUTOR))
    _status(lambda: _auth().check_transfer_agent(request, claim, EXECUTOR.address), 401, "transfer agent signature")


def test_ta_signature_for_another_executor_is_401() -> None:
    request, claim = _claim_of(_forwarded(executor=TA.address))
    _status(lambda: _auth().check_transfer_agent(request, claim, EXECUTOR.address), 401, "does not verify")


def test_ta_without_a_key_on_chain_is_401() -> None:
    headers = _forwarded()
    request = read_signed_request(headers, BODY, "")
    request = SignedRequest(request.original_prompt, request.inference_id, request.requester, NOW, STRANGER.address)
    claim = read_transfer_claim(headers, request)
    _status(lambda: _auth().check_transfer_agent(request, claim, EXECUTOR.address), 401, "no public key")
