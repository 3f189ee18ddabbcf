"""`gonka node ml --config FILE`: serve the ML node's gRPC services (ml.proto and training.proto,
on one port) until SIGTERM/SIGINT.

A bad config or a port that cannot be bound exits non-zero with a one-line message on stderr.
Configured models load before the port opens, so the first Health answer already shows them.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from dataclasses import dataclass
from http.server import HTTPServer
from pathlib import Path

import grpc

from node.ml.config import ConfigError, MlNodeConfig
from node.ml.inference.errors import InferenceError
from node.ml.metrics import Metrics
from node.ml.service.node import MlNode
from node.ml.service.servicer import MlNodeServicer
from node.ml.service.training_servicer import TrainingServicer
from node.proto.gonka import ml_pb2_grpc as pb_grpc
from node.proto.gonka import training_pb2_grpc as training_grpc

log = logging.getLogger("gonka.ml")

# Proof batches and chat responses with logprobs can exceed grpc's 4 MiB default.
_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", _MAX_MESSAGE_BYTES),
]


class StartupError(Exception):
    pass


@dataclass
class MlServer:
    """A running ML node: its service, gRPC server and optional metrics endpoint."""

    node: MlNode
    server: grpc.aio.Server
    port: int
    metrics_http: HTTPServer | None

    @property
    def metrics_port(self) -> int | None:
        return self.metrics_http.server_port if self.metrics_http else None

    async def stop(self) -> None:
        await self.server.stop(grace=1.0)
        await self.node.stop()
        self.node.close()
        if self.metrics_http is not None:
            self.metrics_http.shutdown()
            self.metrics_http.server_close()


async def start(config: MlNodeConfig) -> MlServer:
    """Load the models, open the ports, serve; raises `StartupError` when that cannot be done."""
    metrics = Metrics()
    node = MlNode(config, metrics)
    try:
        await node.start()
    except InferenceError as error:
        node.close()
        raise StartupError(f"cannot load the configured models: {error.message}") from None
    server = grpc.aio.server(options=GRPC_OPTIONS)
    pb_grpc.add_MlNodeServicer_to_server(MlNodeServicer(node), server)
    training_grpc.add_TrainingServicer_to_server(TrainingServicer(node), server)
    try:
        port = server.add_insecure_port(str(config.grpc_listen))
        metrics_http = (
            metrics.serve(config.metrics_listen.host, config.metrics_listen.port) if config.metrics_listen else None
        )
    except (RuntimeError, OSError) as error:
        node.close()
        raise StartupError(f"cannot listen: {error}") from None
    await server.start()
    return MlServer(node, server, port, metrics_http)


async def _serve(config: MlNodeConfig) -> None:
    running = await start(config)
    metrics = f", metrics {config.metrics_listen.host}:{running.metrics_port}" if config.metrics_listen else ""
    log.info(
        "ML node %s up: grpc %s:%d%s, state %s, models %s",
        config.name,
        config.grpc_listen.host,
        running.port,
        metrics,
        running.node.state.value,
        [info.id for info in running.node.models()] or "none",
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down")
    await running.stop()


def run(config_path: Path) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        config = MlNodeConfig.load(config_path)
        asyncio.run(_serve(config))
    except (ConfigError, StartupError) as error:
        print(f"gonka node ml: {error}", file=sys.stderr)
        raise SystemExit(2 if isinstance(error, ConfigError) else 1) from None
