"""Everything the public routes share, built once per app from the ApiContext."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from node.api.auth import Authenticator
from node.api.context import ApiContext
from node.api.executor import Executor
from node.api.inference_txs import InferenceTxs
from node.api.limiter import BandwidthLimiter, Budget
from node.api.metrics import ApiMetrics
from node.api.outbox import Outbox
from node.api.public.chain_view import ChainView
from node.api.public.escrow import EscrowBook
from node.api.public.settings import PublicSettings

FORWARD_CONNECT_TIMEOUT_S = 5.0


@dataclass
class PublicNode:
    ctx: ApiContext
    settings: PublicSettings
    metrics: ApiMetrics
    chain: ChainView
    auth: Authenticator
    limiter: BandwidthLimiter
    escrow: EscrowBook
    txs: InferenceTxs
    executor: Executor
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    @classmethod
    def create(cls, ctx: ApiContext, settings: PublicSettings) -> PublicNode:
        metrics = ApiMetrics()
        chain = ChainView(ctx.chain, ctx.chain_id, ctx.epoch)
        txs = InferenceTxs(ctx.tx, metrics, Outbox(ctx.data_dir))
        return cls(
            ctx=ctx,
            settings=settings,
            metrics=metrics,
            chain=chain,
            auth=Authenticator(chain.public_key),
            limiter=BandwidthLimiter(settings.kb_per_input_token, settings.kb_per_output_token),
            escrow=EscrowBook(),
            txs=txs,
            executor=Executor(ctx, txs, metrics, chain.seconds_until_inference),
        )

    @property
    def http(self) -> httpx.AsyncClient:
        """The client that forwards requests to executors (created on the serving loop)."""
        if self._http is None:
            timeout = httpx.Timeout(self.settings.executor_timeout_s, connect=FORWARD_CONNECT_TIMEOUT_S)
            self._http = httpx.AsyncClient(timeout=timeout)
        return self._http

    async def default_max_tokens(self) -> int:
        return int((await self.chain.params())["inference"]["default_max_tokens"])

    async def budget(self) -> Budget:
        """This node's share of the network's bandwidth limit (reference: limit / participants)."""
        params = await self.chain.params()
        participants = await self.chain.participant_count()
        return Budget(
            kb_per_block=self.settings.limit_kb_per_block / participants,
            lifespan_blocks=int(params["inference"]["expiration_blocks"]) + 1,
            block_time_s=await self.chain.block_time_s(),
        )

    async def aclose(self) -> None:
        """Let the txs in flight land, then close the forwarding client."""
        await self.txs.drain()
        if self._http is not None:
            await self._http.aclose()
