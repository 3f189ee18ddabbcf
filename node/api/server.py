"""`gonka node api --config FILE`: run an api node until SIGTERM/SIGINT.

Start-up, in order: load the config and the account key; wait until the chain node answers
and the account exists there (a joining host must be funded first) and every ML node answers;
register the participant on chain if it is not (or update its url and models); then serve the
public HTTP app on its port and run the epoch orchestrator, the validator and the training
driver (node/api/training.py) beside it.
The port opens only once the node can work, so "the port answers" means ready.

A bad config exits 2, a start-up that cannot complete exits 1, each with one line on stderr.
If the orchestrator or the validator dies, the node stops (exit 1) rather than serve while
silently missing its duties.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from node.api.chain_link import ChainLink, ChainQueryError
from node.api.config import ApiNodeConfig, ConfigError
from node.api.context import ApiContext
from node.api.orchestrator import run_orchestrator
from node.api.public import build_public_app
from node.api.public.framing import uvicorn_config
from node.api.public.settings import PublicSettings
from node.api.training import TrainingDriver
from node.api.training_routes import training_router
from node.api.tx_sender import TxSender
from node.api.validator import run_validator
from node.core.tx import register_message
from node.ml.client import MlNodeClient, MlNodeError
from node.proto.gonka.participants_pb2 import MlNode, MsgRegisterParticipant

log = logging.getLogger("gonka.api")

T = TypeVar("T")
_POLL_S = 0.5  # how often start-up re-asks a peer that is not there yet
register_message(MsgRegisterParticipant)


class StartupError(Exception):
    pass


class _Uvicorn(uvicorn.Server):
    # The node owns SIGTERM/SIGINT (it also stops its background tasks); uvicorn must not
    # install its own handlers, which would re-raise the signal after shutting down.
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def _until(what: str, deadline: float, probe: Callable[[], Awaitable[T | None]]) -> T:
    """Call the async `probe` until it returns something other than None, or fail at `deadline`."""
    last_error = "no answer"
    while True:
        try:
            result = await probe()
            if result is not None:
                return result
        except Exception as error:  # noqa: BLE001 - any failure of a peer that is not up yet
            last_error = str(error) or type(error).__name__
        if time.monotonic() >= deadline:
            raise StartupError(f"gave up waiting for {what}: {last_error}")
        await asyncio.sleep(_POLL_S)


async def build_context(config: ApiNodeConfig) -> ApiContext:
    """Connect to the chain and the ML nodes and wait until both can serve this node."""
    key = config.account_key()
    deadline = time.monotonic() + config.startup_timeout_s
    chain = ChainLink(config.chain_url)
    ml_nodes = [MlNodeClient(url) for url in config.ml_nodes]
    status = await _until(f"chain node {config.chain_url}", deadline, chain.status)
    log.info("chain %s at height %d; waiting for account %s", status.chain_id, status.height, key.address)

    async def account_exists() -> Any:
        try:
            return await chain.query("account", address=key.address)
        except ChainQueryError as error:
            if error.not_found:
                return None  # not funded yet, or the chain node still syncs the block that funded it
            raise

    await _until(f"account {key.address} on chain (fund it first)", deadline, account_exists)
    for ml in ml_nodes:
        await _until(f"ML node {ml.url}", deadline, ml.health)
    config.data_dir.mkdir(parents=True, exist_ok=True)
    return ApiContext(
        name=config.name,
        chain_id=status.chain_id,
        key=key,
        public_url=config.public_url,
        chain=chain,
        tx=TxSender(chain, key, status.chain_id),
        ml_nodes=ml_nodes,
        data_dir=config.data_dir,
        model=config.model,
        adversary=config.adversary,
    )


async def ensure_registered(ctx: ApiContext, consensus_public_key: bytes | None) -> None:
    """Register this host, or update its url and models when they differ from the config."""
    try:
        current = await ctx.chain.query("participant", address=ctx.address)
    except ChainQueryError as error:
        if not error.not_found:
            raise
        current = None
    if (current is not None and current.get("kind") == "PARTICIPANT_KIND_HOST"
            and current.get("url") == ctx.public_url and ctx.model in current.get("models", [])):
        return
    if current is not None and current.get("consensus_public_key"):
        consensus_public_key = bytes.fromhex(current["consensus_public_key"])  # fixed once registered
    if consensus_public_key is None:
        raise StartupError(f"{ctx.address} is not a registered host and the config has no [register] "
                           "consensus_public_key to register it with")
    message = MsgRegisterParticipant(
        creator=ctx.address,
        url=ctx.public_url,
        consensus_public_key=consensus_public_key,
        models=[ctx.model],
        # the ids the orchestrator puts in its PoC batches: the ML node's index in the config
        ml_nodes=[MlNode(node_id=str(index)) for index in range(len(ctx.ml_nodes))],
    )
    result = await ctx.tx.send([message], wait=True)
    # with wait, TxSender re-broadcasts: the check answer then speaks of the pooled tx, the block of its fate
    if not (result.committed and result.code == 0):
        raise StartupError(f"MsgRegisterParticipant failed: {result.log or result.check_log or 'not committed'}")
    log.info("registered host %s at %s (block %d)", ctx.address, ctx.public_url, result.height)


def _public_settings(config: ApiNodeConfig) -> PublicSettings | None:
    if config.limit_kb_per_block is None:
        return None
    return PublicSettings(limit_kb_per_block=config.limit_kb_per_block)


async def _close(ctx: ApiContext) -> None:
    for ml in ctx.ml_nodes:
        await ml.close()
    await ctx.chain.close()


async def serve(config: ApiNodeConfig) -> int:
    """Run the node until a signal (exit status 0) or a dead background task (1)."""
    ctx = await build_context(config)
    try:
        await ensure_registered(ctx, config.consensus_public_key)
        app = build_public_app(ctx, _public_settings(config))
        training = TrainingDriver(ctx)
        app.include_router(training_router(training))
        listen = config.public_listen
        http = _Uvicorn(uvicorn_config(app, host=listen.host, port=listen.port))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        duties = {
            asyncio.create_task(run_orchestrator(ctx), name="orchestrator"),
            asyncio.create_task(run_validator(ctx), name="validator"),
            asyncio.create_task(training.run(), name="training"),
        }
        serving = asyncio.create_task(http.serve(), name="http")
        stopping = asyncio.create_task(stop.wait(), name="signal")
        log.info("api node %s (%s) starts serving %s", config.name, ctx.address, ctx.public_url)
        done, _ = await asyncio.wait({*duties, serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
        status = 0 if stopping in done else 1
        for task in done - {stopping}:
            error = task.exception() if not task.cancelled() else None
            log.error("%s stopped unexpectedly%s", task.get_name(), f": {error!r}" if error else "",
                      exc_info=error)
        log.info("shutting down")
        http.should_exit = True
        for task in (*duties, stopping):
            task.cancel()
        await asyncio.gather(*duties, stopping, serving, return_exceptions=True)
        return status
    finally:
        await _close(ctx)


def run(config_path: Path) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request it sends at INFO: one line per forwarded inference, nothing to act on
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        config = ApiNodeConfig.load(config_path)
        status = asyncio.run(serve(config))
    except (ConfigError, StartupError, MlNodeError) as error:
        print(f"gonka node api: {error}", file=sys.stderr)
        raise SystemExit(2 if isinstance(error, ConfigError) else 1) from None
    raise SystemExit(status)
