"""Who sent an inference request and whether it may run (reference protocol.md §4, Signature 2.0).

A developer signs  hex(SHA-256(body)) ‖ timestamp_ns ‖ TA address  and sends

    Authorization: <signature = the inference id>   X-Requester-Address   X-Timestamp (ns)
    X-Transfer-Address (optional; the TA that receives the request, default: that node)

The TA forwards it to the executor adding X-Inference-Id, X-Seed and X-TA-Signature (the TA
signs the developer bytes ‖ executor address). Answers, as the reference gives them:

    401  a missing or malformed signature header, an unknown requester (no public key on chain),
         a request addressed to another TA, a signature that does not verify
    400  a missing, stale (older than 60 s) or early (over 30 s ahead) timestamp, measured
         against the latest block time; a signature already used (replay)

Replay memory: an inference id is remembered until its timestamp leaves the 60 s window, i.e.
exactly as long as the request could otherwise be accepted again (the reference keeps a few
blocks' worth). Ids are claimed only once every other check passed, and given back when the
request fails before anything was sent on its behalf, so a refused request can be retried.
"""

from __future__ import annotations

import heapq
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from fastapi import HTTPException

from node.core.inference_signing import decode_signature, developer_bytes, transfer_bytes, verify
from node.core.keys import is_valid_address

AUTHORIZATION = "authorization"
REQUESTER = "x-requester-address"
TIMESTAMP = "x-timestamp"
TRANSFER_ADDRESS = "x-transfer-address"
INFERENCE_ID = "x-inference-id"
SEED = "x-seed"
TA_SIGNATURE = "x-ta-signature"

NS = 1_000_000_000
TIMESTAMP_EXPIRATION_NS = 60 * NS
TIMESTAMP_ADVANCE_NS = 30 * NS
DEFAULT_REPLAY_CAPACITY = 200_000  # the limiter keeps far fewer requests than this in one minute
_INT64 = 1 << 63

PublicKeyLookup = Callable[[str], Awaitable[bytes | None]]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message)


@dataclass(frozen=True)
class SignedRequest:
    """A developer's request as signed: the exact body and the headers that bind it."""

    original_prompt: str  # the exact request body (UTF-8)
    inference_id: str  # the developer's signature
    requester: str
    timestamp_ns: int
    transfer_address: str  # the TA the developer addressed


@dataclass(frozen=True)
class TransferClaim:
    """What the TA adds when it forwards a request to its executor."""

    signature: str
    seed: int


def is_forwarded(headers: Mapping[str, str]) -> bool:
    """True for a request a TA forwarded to this node as executor."""
    return TA_SIGNATURE in headers or INFERENCE_ID in headers


def read_signed_request(headers: Mapping[str, str], original_prompt: str, default_transfer: str) -> SignedRequest:
    """The developer's signature headers; HTTPException 401/400 when they are missing or malformed."""
    signature = headers.get(AUTHORIZATION, "").strip()
    if signature.lower().startswith("bearer "):  # OpenAI clients send the key as a bearer token
        signature = signature[len("bearer ") :].strip()
    if not signature:
        raise _unauthorized("missing Authorization header (the request signature)")
    if decode_signature(signature) is None:
        raise _unauthorized("Authorization must be a base64 64-byte secp256k1 signature")
    requester = headers.get(REQUESTER, "")
    if not is_valid_address(requester):
        raise _unauthorized(f"X-Requester-Address must be a gonka address, got {requester!r}")
    transfer = headers.get(TRANSFER_ADDRESS) or default_transfer
    if not is_valid_address(transfer):
        raise _unauthorized(f"X-Transfer-Address must be a gonka address, got {transfer!r}")
    return SignedRequest(original_prompt, signature, requester, _timestamp(headers.get(TIMESTAMP)), transfer)


def _timestamp(raw: str | None) -> int:
    if raw is None or not raw.strip():
        raise HTTPException(400, "missing X-Timestamp header (Unix nanoseconds of the signature)")
    try:
        value = int(raw.strip())
    except ValueError:
        raise HTTPException(400, f"X-Timestamp must be an integer (Unix nanoseconds), got {raw!r}") from None
    if not 0 < value < _INT64:
        raise HTTPException(400, f"X-Timestamp out of range: {value}")
    return value


def read_transfer_claim(headers: Mapping[str, str], request: SignedRequest) -> TransferClaim:
    """The TA's headers on a forwarded request; HTTPException 401/400 when they are missing or malformed."""
    if headers.get(INFERENCE_ID) != request.inference_id:
        raise _unauthorized("X-Inference-Id must repeat the Authorization signature")
    signature = headers.get(TA_SIGNATURE, "")
    if decode_signature(signature) is None:
        raise _unauthorized("X-TA-Signature must be a base64 64-byte secp256k1 signature")
    raw_seed = headers.get(SEED, "")
    try:
        seed = int(raw_seed)
    except ValueError:
        raise HTTPException(400, f"X-Seed must be an integer, got {raw_seed!r}") from None
    if not 0 <= seed < _INT64:
        raise HTTPException(400, f"X-Seed out of range: {seed}")
    return TransferClaim(signature, seed)


class ReplayGuard:
    """Inference ids seen recently, each until its request's timestamp leaves the window."""

    def __init__(self, window_ns: int = TIMESTAMP_EXPIRATION_NS, capacity: int = DEFAULT_REPLAY_CAPACITY):
        self.window_ns = window_ns
        self.capacity = capacity
        self._expiry: dict[str, int] = {}
        self._queue: list[tuple[int, str]] = []  # (expiry, id); stale entries are skipped

    def __len__(self) -> int:
        return len(self._expiry)

    def seen(self, inference_id: str, now_ns: int) -> bool:
        self._forget(now_ns)
        return inference_id in self._expiry

    def claim(self, inference_id: str, timestamp_ns: int, now_ns: int) -> bool:
        """Remember the id; False if it is already remembered. Raises 503 when the memory is full
        (failing closed: forgetting an id early would let its request be replayed)."""
        if self.seen(inference_id, now_ns):
            return False
        if len(self._expiry) >= self.capacity:
            raise HTTPException(
                503, "too many recent requests to remember; retry shortly", headers={"Retry-After": "5"}
            )
        expiry = timestamp_ns + self.window_ns
        self._expiry[inference_id] = expiry
        heapq.heappush(self._queue, (expiry, inference_id))
        return True

    def release(self, inference_id: str) -> None:
        self._expiry.pop(inference_id, None)

    def _forget(self, now_ns: int) -> None:
        while self._queue and self._queue[0][0] < now_ns:
            expiry, inference_id = heapq.heappop(self._queue)
            if self._expiry.get(inference_id) == expiry:
                del self._expiry[inference_id]


class Authenticator:
    """Checks signatures against public keys on chain, the timestamp window and replays.

    `reference_ns` is the latest block time; it is kept monotonic here so that a lagging chain
    node cannot reopen the window of a request already forgotten by the replay memory.
    """

    def __init__(
        self,
        public_key_of: PublicKeyLookup,
        expiration_ns: int = TIMESTAMP_EXPIRATION_NS,
        advance_ns: int = TIMESTAMP_ADVANCE_NS,
        replay_capacity: int = DEFAULT_REPLAY_CAPACITY,
    ) -> None:
        self._public_key_of = public_key_of
        self.expiration_ns = expiration_ns
        self.advance_ns = advance_ns
        self.replays = ReplayGuard(expiration_ns, replay_capacity)
        self._reference_ns = 0

    async def _verify(self, role: str, address: str, data: bytes, signature: str) -> None:
        public_key = await self._public_key_of(address)
        if not public_key:
            raise _unauthorized(f"{role} {address} has no public key on chain (register it first)")
        if not verify(public_key, data, signature):
            raise _unauthorized(f"{role} signature does not verify for {address}")

    async def check_developer(self, request: SignedRequest) -> None:
        data = developer_bytes(request.original_prompt, request.timestamp_ns, request.transfer_address)
        await self._verify("requester", request.requester, data, request.inference_id)

    async def check_transfer_agent(self, request: SignedRequest, claim: TransferClaim, executor: str) -> None:
        data = transfer_bytes(request.original_prompt, request.timestamp_ns, request.transfer_address, executor)
        await self._verify("transfer agent", request.transfer_address, data, claim.signature)

    def check_fresh(self, request: SignedRequest, reference_ns: int) -> None:
        """400 for a timestamp outside the window or an id already used."""
        now = self._advance(reference_ns)
        age_s = (now - request.timestamp_ns) / NS
        if request.timestamp_ns < now - self.expiration_ns:
            raise HTTPException(400, f"request timestamp is too old ({age_s:.0f} s before the latest block)")
        if request.timestamp_ns > now + self.advance_ns:
            raise HTTPException(400, f"request timestamp is too far ahead ({-age_s:.0f} s after the latest block)")
        if self.replays.seen(request.inference_id, now):
            raise HTTPException(400, "this signature was already used (replayed request)")

    def claim(self, request: SignedRequest) -> None:
        """Mark the id used; 400 if a concurrent twin of the request claimed it first."""
        if not self.replays.claim(request.inference_id, request.timestamp_ns, self._reference_ns):
            raise HTTPException(400, "this signature was already used (replayed request)")

    def release(self, request: SignedRequest) -> None:
        self.replays.release(request.inference_id)

    def _advance(self, reference_ns: int) -> int:
        self._reference_ns = max(self._reference_ns, reference_ns)
        return self._reference_ns
