"""`%gonka adversary NAME MODE|off`: turn a devnet participant into a cheater (or back) at run time.

The switch itself is node.devnet.adversary.set_adversary (shared with the JupyterLab sidebar)."""

from __future__ import annotations

import argparse
from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments

from gonka_lab.magics.args import timeout_args
from gonka_lab.magics.session import Session
from node.devnet.adversary import set_adversary
from node.devnet.network import DEFAULT_READY_TIMEOUT_S, DevnetError
from node.devnet.participant import ADVERSARY_MODES

OFF = "off"


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
