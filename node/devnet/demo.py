"""`make demo`: a full 3-participant Gonka network on this machine, one epoch after another.

p1 and p2 are honest hosts; p3 reports fake logprobs. The demo shows the first PoC sprint
turning into weights and voting power, sends 20 inferences through the unmodified `openai`
client (with the request-signing transport), watches randomized validation catch p3
(invalidated inferences, INVALID, slashed, rewards forfeited), then the settlement and the
claims. It prints a summary and always tears the network down, also on Ctrl-C or failure.

The demo is a client of the network, as a developer's script would be: it reads the chain's
events and queries and talks HTTP to the api nodes.
"""

from __future__ import annotations

import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import grpc
import httpx
import openai
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from gonka_lab.client import ApiError, GonkaClient, wait_serving
from gonka_lab.signing import GonkaSigningTransport
from node.chain.client import ChainClient, ChainError
from node.core.keys import AccountKey
from node.devnet.chain_events import ChainEventLog
from node.devnet.genesis import GNK
from node.devnet.network import Devnet, DevnetError

PARTICIPANTS = 3
CHEATER, CHEAT = "p3", "fake-logprobs"
INFERENCES = 20
EXTRA_INFERENCES = 60  # sent only while the cheater is not caught yet
STAGE_TIMEOUT_S = 240.0
# Long enough for validation to see perturbed logprobs: similarity divides by max(100, tokens),
# so a short completion's distances are diluted below the 0.99 threshold's reach.
MAX_TOKENS = 64
DEVELOPER_FUNDS = 1000 * GNK
PROMPTS = ("What is proof of work?", "Name a prime number.", "Say hello in French.", "Count to five.")

console = Console()


def _gnk(ngonka: str | int) -> str:
    return f"{int(ngonka) / GNK:,.6f}"


class Demo:
    def __init__(self, net: Devnet, events: ChainEventLog, progress: Progress) -> None:
        self.net = net
        self.events = events
        self.progress = progress
        self.chain = ChainClient(net.node("p1-chain").url)
        self.names = {p.address: p.name for p in net.manifest.participants}
        self.cheater = next(p.address for p in net.manifest.participants if p.name == CHEATER)
        self.ids: list[str] = []

    def stage(self, description: str, wait: Callable[[], Any]) -> Any:
        task = self.progress.add_task(description, total=None)
        result = self.events.wait_for(wait, STAGE_TIMEOUT_S, description)
        self.progress.update(task, total=1, completed=1, description=f"[green]✓[/green] {description}")
        return result

    def name(self, address: str) -> str:
        return self.names.get(address, address[:14] + "…")

    # -- the epoch ----------------------------------------------------------------------

    def first_epoch(self) -> None:
        switched = self.stage("first PoC: sprint → weights → voting power",
                              lambda: self.events.find("validators_switched", epoch_index=1))
        self.events.wait_height(switched[0].height + 3, 30)  # power changes apply at H+2
        table = Table("participant", "nonces claimed", "weight", "voting power", "reputation", title="Epoch 1")
        powers = {v["operator_address"]: v["power"] for v in self.chain.query("validators")["validators"]}
        members = {m["address"]: m for m in self.chain.query("epoch_group", epoch=1)["members"]}
        for event in self.events.find("weights_computed", epoch_index=1):
            member = members.get(event["address"], {})
            table.add_row(self.name(event["address"]), event["claimed"], str(member.get("weight", 0)),
                          str(powers.get(event["address"], 0)), str(member.get("reputation", 0)))
        self.progress.console.print(table)

    # -- inference ----------------------------------------------------------------------

    def developer(self) -> AccountKey:
        key = AccountKey.generate()
        with GonkaClient(self.net.node("p1-api").url, key) as api:
            api.register()
        funded = self.net.fund(key.address, DEVELOPER_FUNDS, wait=True, timeout_s=30)
        if not funded["committed"] or funded["code"] != 0:
            raise DevnetError(f"funding the developer failed: {funded}")
        return key

    def _openai(self, key: AccountKey, participant: str) -> openai.OpenAI:
        http = httpx.Client(transport=GonkaSigningTransport(key), timeout=60)
        return openai.OpenAI(base_url=self.net.node(f"{participant}-api").url + "/v1", api_key="unused",
                             http_client=http, max_retries=2)

    def _infer(self, client: openai.OpenAI, i: int) -> str:
        messages = [{"role": "user", "content": PROMPTS[i % len(PROMPTS)]}]
        model = self.net.manifest.model
        if i % 2:  # every other request streams
            chunks = list(client.chat.completions.create(model=model, messages=messages, max_tokens=MAX_TOKENS,
                                                        stream=True))
            return chunks[0].id
        return client.chat.completions.create(model=model, messages=messages, max_tokens=MAX_TOKENS).id

    def inferences(self, key: AccountKey) -> None:
        clients = [self._openai(key, p) for p in ("p1", "p2")]  # the honest hosts take requests (TAs)
        task = self.progress.add_task(f"{INFERENCES} inferences through the openai client", total=INFERENCES)
        for i in range(INFERENCES):
            self.ids.append(self._infer(clients[i % 2], i))
            self.progress.advance(task)
        # More traffic only until the cheater is caught: each of its inferences is a chance to.
        extra = self.progress.add_task(f"until {CHEATER} is caught …", total=EXTRA_INFERENCES)
        for i in range(EXTRA_INFERENCES):
            if self._cheater_caught():
                break
            try:
                self.ids.append(self._infer(clients[i % 2], INFERENCES + i))
            except openai.APIError:
                pass  # e.g. refused during a PoC phase: the next one goes through
            self.progress.advance(extra)
        self.stage(f"{CHEATER} ({CHEAT}) convicted: INVALID and slashed", self._cheater_caught)

    def _cheater_caught(self) -> bool:
        return bool(self.events.find("executor_status_changed", address=self.cheater, status="INVALID")
                    and self.events.find("slashed", address=self.cheater, reason="invalid"))

    def _status(self, inference_id: str) -> str:
        try:
            return str(self.chain.query("inference", inference_id=inference_id)["status"])
        except ChainError as error:
            if error.code == grpc.StatusCode.NOT_FOUND:
                return "SENT"  # the TA records Start asynchronously: not on chain yet
            raise

    def _all_settled(self) -> bool:
        return all(self._status(i) not in ("SENT", "STARTED", "VOTING") for i in self.ids)

    def _settled_and_claimed(self, epoch: int) -> bool:
        claimed = {e["address"] for e in self.events.find("rewards_claimed", epoch_index=epoch)}
        forfeited = self.events.find("forfeited", address=self.cheater, epoch_index=epoch)
        return bool(forfeited) and claimed >= {address for address in self.names if address != self.cheater}

    def validations(self) -> None:
        self.stage("every inference finished, validated or invalidated on chain", self._all_settled)
        table = Table("executor", "finished", "validated", "invalidated", "status", title="Inferences and validations")
        counts: dict[str, Counter[str]] = {}
        for inference_id in self.ids:
            record = self.chain.query("inference", inference_id=inference_id)
            counts.setdefault(record["executed_by"], Counter())[record["status"]] += 1
        for address, count in sorted(counts.items(), key=lambda kv: self.name(kv[0])):
            status = self.chain.query("executor_status", address=address)["status"]
            table.add_row(self.name(address), str(sum(count.values())), str(count["VALIDATED"]),
                          str(count["INVALIDATED"]), status, style="red" if status == "INVALID" else None)
        self.progress.console.print(table)

    # -- money ----------------------------------------------------------------------------

    def settlement(self) -> None:
        # The epoch in which the cheater was convicted forfeits its coins when that epoch settles.
        epoch = min(int(e["epoch_index"]) for e in self.events.find("cheater_marked", address=self.cheater))
        self.stage(f"epoch {epoch} settled: honest hosts claim, {CHEATER} forfeits",
                   lambda: self._settled_and_claimed(epoch))
        table = Table("participant", "work coins", "reward coins", "paid", "forfeited", "slashed",
                      title=f"Settlement of epoch {epoch} (GNK)")
        for address, name in sorted(self.names.items(), key=lambda kv: kv[1]):
            settled = self.events.find("settlement", address=address, epoch_index=epoch)
            claims = self.events.find("rewards_claimed", address=address, epoch_index=epoch)
            forfeits = self.events.find("forfeited", address=address, epoch_index=epoch)
            slashes = self.events.find("slashed", address=address)
            table.add_row(
                name,
                _gnk(settled[0]["work_coins"] if settled else 0),
                _gnk(settled[0]["reward_coins"] if settled else 0),
                _gnk(claims[0]["paid"] if claims else 0),
                _gnk(forfeits[0]["amount"] if forfeits else 0),
                _gnk(sum(int(e["amount"]) for e in slashes)),
                style="red" if address == self.cheater else None,
            )
        self.progress.console.print(table)

    def run(self) -> None:
        try:
            self.first_epoch()
            key = self.developer()
            self.inferences(key)
            self.validations()
            self.settlement()
        finally:
            self.chain.close()


def _show_dead_nodes(net: Devnet) -> None:
    for node in net.manifest.nodes:
        if not net.is_running(node):
            console.print(f"[red]{node.name} is not running[/red]; last lines of {net.dir / node.log}:")
            for line in net.logs(node.name, 15):
                console.print(f"  | {line}", markup=False, highlight=False)


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Turn SIGTERM into an exception so the finally block below still tears down.
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    with tempfile.TemporaryDirectory(prefix="gonka-demo-") as tmp:
        net: Devnet | None = None
        events: ChainEventLog | None = None
        try:
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
            with Progress(*columns, console=console) as progress:
                task = progress.add_task(f"starting {PARTICIPANTS} participants (chain + ML + api nodes)", total=None)
                net = Devnet.up(Path(tmp) / "net", PARTICIPANTS, only="all", timeout_s=STAGE_TIMEOUT_S,
                                adversaries={CHEATER: CHEAT})
                faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
                wait_serving(net.node("p1-api").url, faucet, net.manifest.model, STAGE_TIMEOUT_S)
                progress.update(task, total=1, completed=1,
                                description=f"[green]✓[/green] network serving inference ({CHEATER} runs {CHEAT})")
                events = ChainEventLog(net.node("p1-chain").url).start()
                Demo(net, events, progress).run()
            console.print("[bold green]demo complete[/bold green]: honest hosts paid, the cheater caught and punished")
            return 0
        except (DevnetError, ChainError, ApiError, openai.APIError, httpx.HTTPError, TimeoutError) as err:
            console.print(f"[red]demo failed:[/red] {err}")
            if net is not None:
                _show_dead_nodes(net)
            return 1
        except KeyboardInterrupt:
            console.print("interrupted")
            return 130
        finally:
            if events is not None:
                events.close()
            if net is not None:
                net.down()
                console.print("network stopped")


if __name__ == "__main__":
    sys.exit(main())
