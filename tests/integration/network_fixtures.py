"""One full local network shared by the network tests: real chain, ML and api node processes.

Participants p1-p4 are honest; p5-p8 each run one adversary mode; p9 joins after genesis.
Hosts that judge inferences honestly keep more than half of the weight in every epoch (p5's
inferences are honest; it loses its weight at the second PoC, p6 and p7 theirs once
convicted), so invalidation votes follow the honest majority, as the protocol assumes.

The `network` and `traffic` fixtures live in tests/integration/network/conftest.py with package
scope: the network runs for that package's tests only, not through the rest of the suite (its
sprints and traffic would load the machine under every later test). tests/faults/full starts its
own network with `start_network`.

`traffic` keeps signed inferences flowing through the honest api nodes in the background
(that is what gets cheaters caught and what settles into rewards) and records every
request an api node accepted, for the "nothing lost" check.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import httpx
import openai

from gonka_lab.client import ApiError, GonkaClient, wait_serving
from gonka_lab.signing import GonkaSigningTransport
from node.chain.client import ChainClient, ChainError
from node.core.keys import AccountKey
from node.devnet.chain_events import ChainEventLog
from node.devnet.genesis import GNK
from node.devnet.network import Devnet

HONEST = ("p1", "p2", "p3", "p4")
ADVERSARIES = {"p5": "fake-pow", "p6": "wrong-model", "p7": "fake-logprobs", "p8": "lazy-validator"}
JOINER = "p9"
START_TIMEOUT_S = 240.0
# A network test's budget, its share of the shared network's start-up included (9 ML nodes load
# a model each on 2 cores before the chain starts); pyproject's default of 300 s is too tight.
NETWORK_TEST_TIMEOUT_S = 900
DEVELOPER_FUNDS = 1000 * GNK
FINAL = ("FINISHED", "VALIDATED", "INVALIDATED", "EXPIRED")  # a request ends in one of these
# Long enough for fake logprobs to show: similarity divides distances by max(100, tokens).
TRAFFIC_MAX_TOKENS = 64


@dataclass
class Network:
    net: Devnet
    events: ChainEventLog
    _developers: int = 0

    @property
    def model(self) -> str:
        return self.net.manifest.model

    def address(self, participant: str) -> str:
        return next(p.address for p in self.net.manifest.participants if p.name == participant)

    def name_of(self, address: str) -> str:
        return next((p.name for p in self.net.manifest.participants if p.address == address), address)

    def api_url(self, participant: str) -> str:
        return self.net.node(f"{participant}-api").url

    def query(self, path: str, **params: Any) -> Any:
        with ChainClient(self.net.node("p1-chain").url) as client:
            return client.query(path, **params)

    def height(self) -> int:
        return self.events.height

    def developer(self) -> AccountKey:
        """A new developer account, registered through p1's api node and funded by the faucet."""
        key = AccountKey.generate()
        with GonkaClient(self.api_url("p1"), key) as api:
            api.register()
        funded = self.net.fund(key.address, DEVELOPER_FUNDS, wait=True, timeout_s=30)
        assert funded["committed"] and funded["code"] == 0, funded
        return key

    def openai(self, key: AccountKey, participant: str = "p1") -> openai.OpenAI:
        """The unmodified openai client, signing through `participant`'s api node."""
        http = httpx.Client(transport=GonkaSigningTransport(key), timeout=60)
        return openai.OpenAI(base_url=self.api_url(participant) + "/v1", api_key="unused", http_client=http,
                             max_retries=0)

    def record(self, inference_id: str) -> dict[str, Any] | None:
        """An inference's chain record; None while it is not on chain (the TA sends Start asynchronously)."""
        try:
            return self.query("inference", inference_id=inference_id)
        except ChainError as error:
            if error.code == grpc.StatusCode.NOT_FOUND:
                return None
            raise

    def records_once(self, ids: list[str], statuses: tuple[str, ...]) -> dict[str, dict[str, Any]] | None:
        """The records of `ids` once every one is on chain with a status in `statuses`, else None."""
        records = {}
        for inference_id in ids:
            record = self.record(inference_id)
            if record is None or record["status"] not in statuses:
                return None
            records[inference_id] = record
        return records

    def wait_phase_room(self, blocks: int, timeout_s: float = 120) -> None:
        """Until the chain is in the Inference phase with at least `blocks` left before the next PoC."""
        def room() -> bool:
            epoch = self.query("epoch")
            return epoch["phase"] == "Inference" and epoch["next_poc_start_height"] - epoch["height"] >= blocks
        self.events.wait_for(room, timeout_s, f"an Inference phase with {blocks} blocks to spare")


def start_network(directory: Path, participants: int = len(HONEST) + len(ADVERSARIES), adversaries: dict[str, str] | None = None) -> Network:
    """Start a full network and return once it serves inference; the caller must `stop_network` it."""
    net = Devnet.up(directory, participants, only="all", timeout_s=START_TIMEOUT_S,
                    adversaries=ADVERSARIES if adversaries is None else adversaries)
    try:
        wait_serving(net.manifest.nodes_of("api")[0].url, AccountKey.from_private_hex(net.manifest.faucet.private_key),
                     net.manifest.model, START_TIMEOUT_S)
        events = ChainEventLog(net.node("p1-chain").url).start()
    except BaseException:
        net.down()
        raise
    return Network(net, events)


def stop_network(network: Network) -> None:
    network.events.close()
    network.net.down()


@dataclass
class Traffic:
    """Signed inferences sent one after another by a few workers, each through a random honest TA."""

    network: Network
    workers: int = 2
    accepted: list[str] = field(default_factory=list)  # inference ids an api node answered 200 for
    refused: list[int] = field(default_factory=list)  # status codes of refusals (e.g. during PoC)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> Traffic:
        key = self.network.developer()
        for i in range(self.workers):
            thread = threading.Thread(target=self._run, args=(key, random.Random(i)), daemon=True, name=f"traffic-{i}")
            thread.start()
            self._threads.append(thread)
        return self

    def _run(self, key: AccountKey, rng: random.Random) -> None:
        clients = {p: GonkaClient(self.network.api_url(p), key) for p in HONEST}
        try:
            while not self._stop.is_set():
                body = {"model": self.network.model, "max_tokens": TRAFFIC_MAX_TOKENS,
                        "messages": [{"role": "user", "content": f"count to {rng.randrange(1000)}"}]}
                try:
                    self.accepted.append(clients[rng.choice(HONEST)].chat(body)["id"])
                except ApiError as error:
                    self.refused.append(error.status)
                    self._stop.wait(0.5)  # a PoC phase or a busy node: try again shortly
                except httpx.HTTPError:
                    self.refused.append(0)
                    self._stop.wait(0.5)
        finally:
            for client in clients.values():
                client.close()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
