"""`make demo`: a 4-validator chain in a temp folder survives a crashed validator.

Transfers flow from the faucet while one validator is SIGKILLed and later restarted; the demo
then shows that all nodes agree (same block and app hash at a common height, same balances)
and always tears the network down, also on Ctrl-C or failure.
"""

from __future__ import annotations

import signal
import sys
import tempfile
from pathlib import Path
from types import FrameType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from node.chain.client import ChainClient, ChainError
from node.core.keys import AccountKey
from node.devnet.network import Devnet, DevnetError
from node.devnet.supervisor import wait_for

VALIDATORS = 4
TRANSFERS = 24
RECIPIENTS = 4
VICTIM = "p4-chain"
KILL_AT = TRANSFERS // 3
RESTART_AT = 2 * TRANSFERS // 3
CATCH_UP_TIMEOUT_S = 60.0

console = Console()


def _send_transfers(net: Devnet, recipients: list[str]) -> dict[str, int]:
    faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
    sent = dict.fromkeys(recipients, 0)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress, ChainClient(net.node("p1").url) as client:
        task = progress.add_task("transfers", total=TRANSFERS)
        for i in range(TRANSFERS):
            if i == KILL_AT:
                net.stop(VICTIM, kill=True)
                progress.console.print(f"[red]SIGKILL {VICTIM}[/red]: 3 of 4 validators carry on")
            if i == RESTART_AT:
                net.start(VICTIM)
                progress.console.print(f"[green]restarted {VICTIM}[/green] from its data; it catches up")
            to = recipients[i % len(recipients)]
            amount = 1000 + i
            result = client.send_tokens(faucet, to, amount, wait=True, timeout_s=20)
            if result["check_code"] != 0 or not result.get("committed") or result["code"] != 0:
                raise DevnetError(f"transfer {i} failed: {result}")
            sent[to] += amount
            progress.update(task, advance=1, description=f"transfers (height {result['height']})")
    return sent


def _summary(net: Devnet, sent: dict[str, int]) -> None:
    clients = {node.name: ChainClient(node.url) for node in net.manifest.nodes}
    try:
        target = max(c.status()["height"] for c in clients.values())
        # The restarted validator must reach the others before their states can be compared.
        if not wait_for(lambda: all(c.status()["height"] >= target for c in clients.values()), CATCH_UP_TIMEOUT_S):
            raise DevnetError(f"not every node reached height {target} within {CATCH_UP_TIMEOUT_S:.0f} s")
        nodes = Table("node", "height", f"block hash @ {target}", f"app hash @ {target}")
        blocks = {}
        for name, client in clients.items():
            blocks[name] = client.block(target)
            nodes.add_row(name, str(client.status()["height"]), blocks[name]["hash"][:16], blocks[name]["app_hash"][:16])
        console.print(nodes)
        agree = len({(b["hash"], b["app_hash"]) for b in blocks.values()}) == 1
        console.print("[green]all nodes agree[/green]" if agree else "[red]nodes DISAGREE[/red]")

        balances = Table("recipient", "sent", *clients)
        all_match = agree
        for address, amount in sent.items():
            seen = [c.balance(address) for c in clients.values()]
            all_match &= all(b == amount for b in seen)
            balances.add_row(address[:20] + "…", str(amount), *map(str, seen))
        console.print(balances)
        if not all_match:
            raise DevnetError("balances or hashes differ between nodes")
    finally:
        for client in clients.values():
            client.close()


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into an exception so the finally block below still tears down.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="gonka-demo-") as tmp:
        net: Devnet | None = None
        try:
            with console.status(f"starting {VALIDATORS} validators …"):
                net = Devnet.up(Path(tmp) / "net", participants=VALIDATORS)
            console.print(f"{VALIDATORS} validators committing blocks in {net.dir}")
            recipients = [AccountKey.generate().address for _ in range(RECIPIENTS)]
            sent = _send_transfers(net, recipients)
            _summary(net, sent)
            return 0
        except (DevnetError, ChainError) as err:
            console.print(f"[red]demo failed:[/red] {err}")
            return 1
        except KeyboardInterrupt:
            console.print("interrupted")
            return 130
        finally:
            if net is not None:
                net.down()
                console.print("network stopped")


if __name__ == "__main__":
    sys.exit(main())
