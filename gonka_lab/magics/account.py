"""`%gonka account create|show` and `%gonka infer`: a developer's key, and signed inference
streamed into a widget, followed by its validation outcome on chain."""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from typing import Any

import grpc
from IPython.core.magic_arguments import argument, magic_arguments
from IPython.display import display

from gonka_lab.client import DEFAULT_TIMEOUT_S, GonkaClient
from gonka_lab.home import HomeError
from gonka_lab.magics.session import Session
from gonka_lab.widgets import InferenceView, Refresher
from node.chain.client import ChainError
from node.devnet.genesis import GNK

DEVNET_FUNDING = 1000 * GNK
FINAL = ("VALIDATED", "INVALIDATED", "EXPIRED")  # an inference's outcomes after validation


@magic_arguments()
@argument("action", choices=("create", "show"))
@argument("name", help="Keyring key name.")
@argument("--fund", type=int, default=DEVNET_FUNDING,
          help=f"ngonka the local devnet's faucet sends on create (default {DEVNET_FUNDING}; 0: none).")
def account(session: Session, args: argparse.Namespace, cell: str | None) -> dict[str, Any]:
    """Create a developer account (a keyring key registered through the api node, funded on a
    devnet) or show one's address and balance. A created account becomes the session's default.

    Examples::

        %gonka account create alice
        %gonka account show alice
    """
    if args.action == "create":
        api_url = session.api()
        info = session.keyring.add(args.name)
        with GonkaClient(api_url, session.keyring.key(args.name)) as api:
            api.register()
        if args.fund and session.has_devnet():
            funded = session.devnet().fund(info.address, args.fund, wait=True, timeout_s=30)
            if funded["check_code"] != 0 or not funded["committed"] or funded["code"] != 0:
                raise HomeError(f"{args.name} is registered but funding it failed: "
                                f"{funded.get('check_log') or funded.get('log')}")
        session.account = args.name
    address = session.keyring.key(args.name).address
    with session.chain() as client:
        balance = client.balance(address)
    print(f"{args.name} {address}: {balance} ngonka")
    return {"name": args.name, "address": address, "balance": balance}


@dataclass
class InferenceResult:
    prompt: str
    id: str = ""
    content: str = ""
    status: str = ""  # the chain record's latest status (STARTED, FINISHED, VALIDATED …)
    record: dict[str, Any] = field(default_factory=dict)
    view: InferenceView | None = None
    watcher: Refresher | None = None

    def wait(self, timeout_s: float = 120.0, statuses: tuple[str, ...] = FINAL) -> str:
        """Block until the validation outcome is one of `statuses` (or the watcher stops); the status."""
        deadline = time.monotonic() + timeout_s
        while self.status not in statuses and self.watcher is not None and self.watcher.running:
            if time.monotonic() > deadline:
                break
            self.watcher.join(0.5)
        return self.status

    def __repr__(self) -> str:
        return f"<inference {self.id[:16]}… {self.status or 'pending'}: {self.content[:40]!r}>"


def _record(session: Session, inference_id: str) -> dict[str, Any] | None:
    try:
        with session.chain() as client:
            return client.query("inference", inference_id=inference_id)
    except ChainError as error:
        if error.code == grpc.StatusCode.NOT_FOUND:  # its Start is not on chain yet
            return None
        raise


@magic_arguments()
@argument("prompt", nargs="+", help="The user message (quote it, or give several words).")
@argument("--account", default=None, help="Keyring key that signs and pays (default: the session's).")
@argument("--model", default=None, help="Model id (default: the api node's first).")
@argument("--max-tokens", type=int, default=32)
@argument("--validation-timeout", type=float, default=180.0, metavar="S",
          help="How long to keep watching for the validation outcome (default 180 s).")
@argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
          help=f"Give up on the api node after S seconds without a token (default {DEFAULT_TIMEOUT_S:.0f} s).")
def infer(session: Session, args: argparse.Namespace, cell: str | None) -> InferenceResult:
    """Send a signed chat completion; its tokens stream into the output, then its id, then
    (in the background) its validation outcome on chain.

    Examples::

        r = %gonka infer "Count to five"
        r.content, r.id
        r.wait()          # 'VALIDATED', 'INVALIDATED' or 'EXPIRED' (or the last status seen)
    """
    name = args.account or session.account
    if not name:
        raise HomeError("no account: `%gonka account create NAME` first, or pass --account NAME")
    prompt = " ".join(args.prompt)
    result = InferenceResult(prompt, view=InferenceView(prompt))
    display(result.view.widget)
    with GonkaClient(session.api(), session.keyring.key(name), timeout_s=args.timeout) as api:
        body = {"model": args.model or api.models()[0], "messages": [{"role": "user", "content": prompt}],
                "max_tokens": args.max_tokens}
        for chunk in api.chat_stream(body):
            result.id = result.id or chunk.get("id", "")
            for choice in chunk.get("choices", []):
                result.view.add((choice.get("delta") or {}).get("content") or "")
    result.content = result.view.text
    result.view.done(result.id)

    def refresh() -> bool:
        record = _record(session, result.id)
        if record is not None:
            result.record, result.status = record, record["status"]
            result.view.status(result.status, result.status in FINAL)
        return result.status in FINAL

    result.watcher = Refresher(refresh, 1.0, args.validation_timeout).start()
    return result
