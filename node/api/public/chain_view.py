"""What the public API reads from the chain, each kept for as long as it can be trusted.

    head           latest height and block time          the orchestrator's block stream (ctx.epoch)
                                                         while it is live, else polled every 0.5 s
    prices         per-token price of each model         one block (the chain reprices every block)
    params         chain params                          60 s (they change by governance only)
    models         the model registry                    10 s
    group, urls    the effective epoch group, host urls  5 s (they change at epoch boundaries)
    public keys    account keys                          until evicted (a key, once set, stays)
    hosts          registered host accounts              60 s
Balances are read by the escrow book (escrow.py), at most once per block and requester.
Concurrent readers of an expired TTL value share one query.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from node.api.chain_link import ChainLink, ChainQueryError
from node.api.context import EpochView
from node.api.routing import Candidate, eligible

T = TypeVar("T")

HEAD_TTL_S = 0.5
# The block stream's head counts as live for this long after its last block; past it (the stream
# broke, or no orchestrator follows it, as in tests that serve the app alone) the head is polled.
STREAM_HEAD_LIVE_S = 5.0
PARAMS_TTL_S = 60.0
MODELS_TTL_S = 10.0
GROUP_TTL_S = 5.0
HOST_TTL_S = 60.0
MAX_PUBLIC_KEYS = 50_000
HOST_KIND = "PARTICIPANT_KIND_HOST"


class Cached(Generic[T]):
    """One value loaded on demand and reused for `ttl_s` seconds."""

    def __init__(self, load: Callable[[], Awaitable[T]], ttl_s: float) -> None:
        self._load = load
        self._ttl_s = ttl_s
        self._value: T | None = None
        self._loaded = float("-inf")
        self._lock = asyncio.Lock()

    async def get(self) -> T:
        if time.monotonic() - self._loaded > self._ttl_s:
            async with self._lock:
                if time.monotonic() - self._loaded > self._ttl_s:  # another reader may have loaded it
                    self._value = await self._load()
                    self._loaded = time.monotonic()
        return self._value  # type: ignore[return-value]

    @property
    def last(self) -> T | None:
        """The value last loaded, however old (None before the first load)."""
        return self._value


@dataclass(frozen=True)
class Head:
    chain_id: str
    height: int
    time_ns: int


class ChainView:
    def __init__(self, chain: ChainLink, chain_id: str, stream: EpochView | None = None) -> None:
        """`stream`: the head as a block stream follower keeps it (ApiContext.epoch), if any."""
        self.link = chain
        self._chain_id = chain_id
        self._stream = stream
        self._polled = Cached(self._load_head, HEAD_TTL_S)
        self._prices: dict[str, int] = {}
        self._prices_height = -1
        self._params = Cached(lambda: chain.query("params"), PARAMS_TTL_S)
        self._models = Cached(self._load_models, MODELS_TTL_S)
        self._group = Cached(self._load_group, GROUP_TTL_S)
        self._public_keys: OrderedDict[str, bytes] = OrderedDict()
        self._hosts: dict[str, float] = {}  # host address -> when it was seen registered

    async def _load_head(self) -> Head:
        status = await self.link.status()
        return Head(status.chain_id, status.height, status.latest_block_time_ms * 1_000_000)

    async def _load_models(self) -> dict[str, dict[str, Any]]:
        return {model["id"]: model for model in (await self.link.query("models"))["models"]}

    async def _load_group(self) -> tuple[dict[str, Any], dict[str, str]]:
        group = await self.link.query("epoch_group")
        records = await asyncio.gather(*(self.participant(m["address"]) for m in group["members"]))
        return group, {r["address"]: r["url"] for r in records if r is not None}

    async def participant(self, address: str) -> dict[str, Any] | None:
        try:
            return await self.link.query("participant", address=address)
        except ChainQueryError as error:
            if error.not_found:
                return None
            raise

    async def head(self) -> Head:
        """The latest block: pushed by the block stream without a round trip while that is live."""
        view = self._stream
        if view is not None and time.monotonic() - view.seen_at < STREAM_HEAD_LIVE_S:
            return Head(self._chain_id, view.height, view.block_time_ms * 1_000_000)
        return await self._polled.get()

    @property
    def known_height(self) -> int:
        """The latest height this view has seen, without asking the chain."""
        polled = self._polled.last
        return max(self._stream.height if self._stream else 0, polled.height if polled else 0)

    async def params(self) -> dict[str, Any]:
        return await self._params.get()

    async def models(self) -> dict[str, dict[str, Any]]:
        return await self._models.get()

    async def group(self) -> dict[str, Any]:
        """The effective epoch group (members with weights and models)."""
        return (await self._group.get())[0]

    async def executors(self, model: str) -> list[Candidate]:
        group, urls = await self._group.get()
        return eligible(group["members"], urls, model)

    async def participant_count(self) -> int:
        return max(1, len((await self.group())["members"]))

    async def price(self, model: str) -> int:
        """The model's per-token price as of the latest block (an estimate either way: Start locks
        the price of the block it lands in)."""
        height = (await self.head()).height
        if height != self._prices_height:
            self._prices, self._prices_height = {}, height
        if model not in self._prices:
            price = int((await self.link.query("price", model=model))["per_token_price"])
            if self._prices_height == height:  # not a newer block's table meanwhile
                self._prices[model] = price
            return price
        return self._prices[model]

    async def balance(self, address: str) -> int:
        return int((await self.link.query("balance", address=address))["amount"])

    async def block_time_s(self) -> float:
        return (await self.params())["pricing"]["expected_block_time_ms"] / 1000

    async def public_key(self, address: str) -> bytes | None:
        """The account's public key, or None while it has none (no account, or no tx yet)."""
        if address in self._public_keys:
            self._public_keys.move_to_end(address)
            return self._public_keys[address]
        try:
            account = await self.link.query("account", address=address)
        except ChainQueryError as error:
            if error.not_found:
                return None
            raise
        if not account["public_key"]:
            return None
        key = bytes.fromhex(account["public_key"])
        self._public_keys[address] = key
        if len(self._public_keys) > MAX_PUBLIC_KEYS:
            self._public_keys.popitem(last=False)
        return key

    async def is_host(self, address: str) -> bool:
        if time.monotonic() - self._hosts.get(address, float("-inf")) < HOST_TTL_S:
            return True
        record = await self.participant(address)
        if record is None or record["kind"] != HOST_KIND:
            return False
        self._hosts[address] = time.monotonic()
        return True

    async def seconds_until_inference(self) -> int:
        """Retry-After for work refused during PoC: the blocks until PoC validation ends."""
        head, block_s = await self.head(), await self.block_time_s()
        epoch = await self.link.query("epoch")
        stages = epoch.get("stages")
        blocks = 2
        if epoch["phase"] != "Inference" and stages:
            blocks = max(blocks, stages["poc_validation_end"] - head.height + 1)
        return max(1, math.ceil(blocks * block_s))
