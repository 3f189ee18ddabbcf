"""`%gonka adversary NAME MODE|off`: turn a devnet participant into a cheater (or back) at run time.

The mode lives in the node config that runs it (the ML node for PoW and inference cheats, the
api node for a lazy validator); the magic rewrites that config and restarts the node, which keeps
its data, so the chain sees the same host start (or stop) cheating."""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from IPython.core.magic_arguments import argument, magic_arguments

from gonka_lab.magics.args import timeout_args
from gonka_lab.magics.session import Session
from node.devnet import manifest as manifest_io
from node.devnet.api_config import API_ADVERSARIES
from node.devnet.ml_config import INFERENCE_ADVERSARIES, POW_ADVERSARIES
from node.devnet.network import DEFAULT_READY_TIMEOUT_S, Devnet, DevnetError
from node.devnet.participant import ADVERSARY_MODES

OFF = "off"


def _ml_config(config: dict[str, Any], mode: str) -> dict[str, Any]:
    for table in ("pow", "inference"):
        config.setdefault(table, {}).pop("adversary", None)
    if mode in POW_ADVERSARIES:
        config["pow"]["adversary"] = mode
    elif mode in INFERENCE_ADVERSARIES:
        config["inference"]["adversary"] = mode
    return config


def _api_config(config: dict[str, Any], mode: str) -> dict[str, Any]:
    config["adversary"] = mode if mode in API_ADVERSARIES else ""
    return config


def _rewrite(path: Path, change: Any, mode: str) -> bool:
    """Apply `change` to the TOML file; True if its content changed."""
    before = tomllib.loads(path.read_text())
    after = change(tomllib.loads(path.read_text()), mode)
    if after == before:
        return False
    path.write_text(tomli_w.dumps(after))
    return True


def set_adversary(net: Devnet, name: str, mode: str, timeout_s: float) -> list[str]:
    """Switch participant `name` to `mode` ("" for honest); the names of the restarted nodes."""
    host = next((p for p in net.manifest.participants if p.name == name), None)
    if host is None:
        raise DevnetError(f"no participant {name!r} (participants: {', '.join(p.name for p in net.manifest.participants)})")
    restarted = []
    for kind, change in (("ml", _ml_config), ("api", _api_config)):
        node = next((n for n in net.manifest.nodes if n.participant == name and n.kind == kind), None)
        if node is None:
            raise DevnetError("adversaries need a full network (`%gonka net up --only all`)")
        if _rewrite(net.dir / node.config, change, mode):
            net.stop(node.name)
            net.start(node.name, timeout_s=timeout_s)
            restarted.append(node.name)
    host.adversary = mode
    manifest_io.save(net.dir, net.manifest)
    return restarted


@magic_arguments()
@argument("name", help="Participant, e.g. p3.")
@argument("mode", help=f"One of {', '.join(ADVERSARY_MODES)}, or {OFF}.")
@timeout_args(DEFAULT_READY_TIMEOUT_S)
def adversary(session: Session, args: argparse.Namespace, cell: str | None) -> dict[str, Any]:
    """Make a devnet participant cheat (or stop cheating): its node restarts with the new mode.

    Examples::

        %gonka adversary p3 wrong-model
        %gonka adversary p3 off
    """
    if args.mode != OFF and args.mode not in ADVERSARY_MODES:
        raise DevnetError(f"unknown adversary mode {args.mode!r}; choose one of {', '.join(ADVERSARY_MODES)} or {OFF}")
    mode = "" if args.mode == OFF else args.mode
    restarted = set_adversary(session.devnet(), args.name, mode, args.timeout)
    print(f"{args.name} is now {'honest' if not mode else mode}"
          + (f" (restarted {', '.join(restarted)})" if restarted else " (no change)"))
    return {"name": args.name, "mode": mode, "restarted": restarted}
