"""`%gonka net up|down|status|stop|start|join` and `%gonka connect`: the network a session drives."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from gonka_lab.client import wait_serving
from gonka_lab.home import devnet_dir
from gonka_lab.magics.args import network_args, timeout_args
from gonka_lab.magics.session import Session
from gonka_lab.widgets import FrameView
from node.chain.client import ChainClient, ChainError
from node.core.keys import AccountKey
from node.devnet import manifest as manifest_io
from node.devnet.network import DEFAULT_READY_TIMEOUT_S, MODES, Devnet, DevnetError

NET_ACTIONS = ("up", "down", "status", "stop", "start", "join")


@dataclass
class NetStatus:
    dir: Path
    nodes: pd.DataFrame
    participants: pd.DataFrame

    def __repr__(self) -> str:
        running = int(self.nodes["running"].sum()) if not self.nodes.empty else 0
        return f"<network {self.dir}: {running}/{len(self.nodes)} nodes running, {len(self.participants)} hosts>"


def _adversaries(specs: list[str]) -> dict[str, str]:
    pairs = [spec.partition("=") for spec in specs]
    bad = [spec for spec, (name, sep, mode) in zip(specs, pairs) if not (name and sep and mode)]
    if bad:
        raise DevnetError(f"--adversary {bad[0]!r}: use NAME=MODE")
    return {name: mode for name, _, mode in pairs}


def net_status(net: Devnet) -> NetStatus:
    try:
        participants = pd.DataFrame(net.participants_status())
    except (DevnetError, ChainError):  # no chain node answers: the process table still helps
        participants = pd.DataFrame()
    return NetStatus(net.dir, pd.DataFrame(net.status()), participants)


def _up(session: Session, args: argparse.Namespace) -> NetStatus:
    target = args.dir or session.network_dir or devnet_dir(session.home)
    print(f"starting {args.participants} participants in {target} …", flush=True)
    started = time.monotonic()
    net = Devnet.up(target, args.participants, args.only, timeout_s=args.timeout, reset=args.reset,
                    adversaries=_adversaries(args.adversary))
    if args.only == "all":
        try:  # up means serving: one signed inference completes
            faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
            wait_serving(net.manifest.nodes_of("api")[0].url, faucet, net.manifest.model, args.timeout)
        except BaseException:
            net.down()
            raise
    session.network_dir, session.chain_url, session.api_url = target, None, None
    print(f"network up in {time.monotonic() - started:.0f} s", flush=True)
    return net_status(net)


@magic_arguments()
@argument("action", choices=NET_ACTIONS, help="What to do with the local network.")
@argument("name", nargs="?", help="NODE for stop/start (e.g. p2-api, or p2 for its chain node); NAME for join.")
@argument("-n", "--participants", type=int, default=3, help="Participants for `up` (default 3).")
@argument("--only", choices=MODES, default="all", help="Node kinds for `up` (default all: chain, ML and api).")
@argument("--adversary", action="append", default=[], metavar="NAME=MODE",
          help="`up`: run NAME as an adversary (repeatable); `join`: the joiner's MODE.")
@argument("--reset", action="store_true", help="`up`: replace an existing network in the folder.")
@argument("--purge", action="store_true", help="`down`: also delete the folder.")
@network_args
@timeout_args(DEFAULT_READY_TIMEOUT_S)
def net(session: Session, args: argparse.Namespace, cell: str | None) -> Any:
    """Run a local network (chain, ML and api node per participant) on 127.0.0.1.

    Examples::

        %gonka net up -n 3
        %gonka net up -n 3 --adversary p3=wrong-model --reset
        %gonka net status
        %gonka net stop p2-api
        %gonka net start p2-api
        %gonka net join p4
        %gonka net down --purge
    """
    if args.action == "up":
        return _up(session, args)
    if args.dir is not None:
        if not manifest_io.exists(args.dir):
            raise DevnetError(f"no network in {args.dir}")
        session.network_dir, session.chain_url = args.dir, None
    network = session.devnet()
    if args.action in ("stop", "start", "join") and not args.name:
        raise DevnetError(f"`net {args.action}` needs a {'NAME' if args.action == 'join' else 'NODE'}")
    if args.action == "status":
        status = net_status(network)
        display(FrameView("nodes", status.nodes).widget, FrameView("participants", status.participants).widget)
        return status
    if args.action == "down":
        stopped = network.down(purge=args.purge)
        print(f"stopped {len(stopped)} node(s)" + (f"; deleted {network.dir}" if args.purge else ""))
        return stopped
    if args.action == "stop":
        return network.stop(args.name)
    if args.action == "start":
        return network.start(args.name, timeout_s=args.timeout).name
    print(f"{args.name} joins the network …", flush=True)
    nodes = network.join(args.name, args.timeout, args.adversary[0] if args.adversary else "")
    return [n.name for n in nodes]


@magic_arguments()
@argument("target", help="A network folder, or a chain node's gRPC address HOST:PORT.")
@argument("--api", default=None, help="An api node URL (http://HOST:PORT) for `infer` and `account`.")
def connect(session: Session, args: argparse.Namespace, cell: str | None) -> dict[str, Any]:
    """Point the session at a network: a local devnet folder or a remote node.

    Examples::

        %gonka connect ~/.gonka/devnet
        %gonka connect 127.0.0.1:26657 --api http://127.0.0.1:9000
    """
    folder = Path(args.target).expanduser()
    if manifest_io.exists(folder):
        session.network_dir, session.chain_url, session.api_url = folder, None, args.api
        with session.chain() as client:
            status = client.status()
    else:
        with ChainClient(args.target) as client:
            status = client.status()
        session.chain_url, session.api_url = args.target, args.api
    print(f"connected to {status['chain_id']} at height {status['height']}")
    return status
