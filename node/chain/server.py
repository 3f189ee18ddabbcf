"""`gonka node chain --config FILE`: run a chain node until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path

from node.chain.node import open_node
from node.chain.rpc import serve_public

log = logging.getLogger("gonka.chain")


async def _serve(config_path: Path) -> None:
    node = open_node(config_path)
    await node.start()
    server = await serve_public(node, node.config.rpc_listen)
    log.info(
        "chain node %s up: height %d, p2p %s, rpc %s",
        node.name, node.latest_height, node.config.p2p_listen, node.config.rpc_listen,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    log.info("shutting down")
    await server.stop(grace=1.0)
    await node.stop()


def run(config_path: Path) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(config_path))
