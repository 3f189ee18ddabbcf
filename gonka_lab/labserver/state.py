"""What the sidebar is connected to, and a snapshot of that network: the server side of the
JupyterLab panel, kept free of HTTP so it can be tested on its own.

A connection is either a local devnet (found in $GONKA_DEVNET_DIR or $GONKA_HOME/devnet, or named
by its folder or by any of its nodes' URLs), which also allows node actions, or a bare chain node
(HOST:PORT of its public gRPC service), which allows watching only. The browser never talks to
nodes: every call here runs in the Jupyter server process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gonka_lab.home import devnet_dir, gonka_home
from gonka_lab.labserver import views
from node.chain.client import ChainClient, ChainError, grpc_target
from node.devnet import manifest as manifest_io
from node.devnet.adversary import is_full, set_adversary
from node.devnet.network import DEFAULT_READY_TIMEOUT_S, Devnet, DevnetError
from node.devnet.participant import ADVERSARY_MODES

# Short deadlines: a stopped node must not stall the panel's refresh.
QUERY_TIMEOUT_S = 2.0
START_TIMEOUT_S = 30.0
STOP_GRACE_S = 5.0
MAX_LOG_LINES = 2000
# The chain answers at most this many inferences per query; the newest are picked from them.
INFERENCE_QUERY_LIMIT = 1000
ADVERSARY_OFF = "off"


def adversary_switch(net: Devnet | None) -> dict[str, Any]:
    """Whether the panel may switch participants' adversary modes, the modes, and why not."""
    if net is None:
        return {"available": False, "modes": [], "reason": "adversary modes need a local devnet"}
    if not is_full(net):
        return {"available": False, "modes": [],
                "reason": "adversary modes need a full network (`gonka net up --only all`)"}
    return {"available": True, "modes": list(ADVERSARY_MODES), "reason": None}


class LabError(Exception):
    """A request the panel cannot honour; `status` is the HTTP status the handler answers with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Connection:
    kind: str  # "devnet" or "chain"
    target: str  # the devnet folder, or the chain node's HOST:PORT

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "target": self.target}


def discovered_dir() -> Path:
    """Where a local devnet is looked for: $GONKA_DEVNET_DIR, else $GONKA_HOME/devnet."""
    return devnet_dir(gonka_home())


def _bare(url: str) -> str:
    """'http://127.0.0.1:9/' -> '127.0.0.1:9'."""
    return url.split("://", 1)[-1].rstrip("/")


def _matches_node(net: Devnet, url: str) -> bool:
    return any(_bare(url) == _bare(u) for n in net.manifest.nodes for u in (n.url, *n.urls.values()))


def resolve(url: str) -> Connection:
    """The panel's URL box -> a connection. Empty: the discovered devnet. A folder holding a
    network.json: that devnet. The URL of any node of the discovered devnet: that devnet.
    Anything else: a chain node's gRPC address (HOST:PORT, optionally grpc:// or http://)."""
    url = url.strip()
    home_dir = discovered_dir()
    if not url:
        if not manifest_io.exists(home_dir):
            raise LabError(
                f"no devnet found in {home_dir} (set $GONKA_DEVNET_DIR or start one with `gonka net up`),"
                " or enter a chain node URL",
                404,
            )
        return Connection("devnet", str(home_dir))
    folder = Path(url).expanduser()
    if manifest_io.exists(folder):
        return Connection("devnet", str(folder.resolve()))
    if manifest_io.exists(home_dir):
        try:
            if _matches_node(Devnet.open(home_dir), url):
                return Connection("devnet", str(home_dir))
        except DevnetError:
            pass  # an unreadable manifest: fall through to treating the URL as a chain node
    try:
        return Connection("chain", grpc_target(url))
    except ValueError as err:
        raise LabError(f"{err}, a devnet folder, or empty to find the local devnet") from None


def _participant_names(net: Devnet) -> dict[str, str]:
    return {p.address: p.name for p in net.manifest.participants}


def _adversaries(net: Devnet) -> dict[str, str]:
    return {p.name: p.adversary for p in net.manifest.participants if p.adversary}


def _gather(client: ChainClient, names: dict[str, str]) -> dict[str, Any]:
    """Network-wide data from one chain node."""
    epoch = client.query("epoch")
    batches: list[dict[str, Any]] = []
    if epoch["stages"] is not None and epoch["phase"].startswith("PoC"):
        batches = client.query("poc_batches")["batches"]
    inferences = client.query("inferences", limit=INFERENCE_QUERY_LIMIT)["inferences"]
    return {
        "height": epoch["height"],
        "epoch": views.epoch_view(epoch),
        "sprint": views.sprint_view(epoch, batches, names),
        "inferences": views.inference_rows(inferences, names),
        "participants": client.query("participants")["participants"],
    }


def _phase_of(url: str) -> str | None:
    try:
        with ChainClient(url, timeout_s=QUERY_TIMEOUT_S) as client:
            return str(client.query("epoch")["phase"])
    except ChainError:
        return None


def _base(connection: Connection, **fields: Any) -> dict[str, Any]:
    """A connected snapshot's fields with nothing known yet, overridden by `fields`."""
    return {
        "connected": True,
        "connection": connection.to_dict(),
        "actions": connection.kind == "devnet",
        "adversary_switch": adversary_switch(None),
        "error": None,
        "chain_id": None,
        "height": None,
        "nodes_up": 0,
        "nodes_total": 0,
        "epoch": None,
        "sprint": None,
        "inferences": [],
        "participants": [],
    } | fields


class LabState:
    """The panel's connection (shared by every browser tab of one Jupyter server) and the calls
    behind its REST handlers. Thread-safe: handlers run these calls in worker threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        # One switch at a time: each rewrites the devnet's manifest, and two at once would lose one.
        self._switching = threading.Lock()

    @property
    def connection(self) -> Connection | None:
        with self._lock:
            return self._connection

    def connect(self, url: str = "") -> Connection:
        connection = resolve(url)
        with self._lock:
            self._connection = connection
        return connection

    def disconnect(self) -> None:
        with self._lock:
            self._connection = None

    def snapshot(self) -> dict[str, Any]:
        """Everything the panel and the status bar show, as JSON-able data. Never raises for an
        unreachable network: the failure is in `error` (whole network) or in a row's status."""
        connection = self.connection
        if connection is None:
            home_dir = discovered_dir()
            return {"connected": False, "discovered": str(home_dir) if manifest_io.exists(home_dir) else None,
                    "search_dir": str(home_dir)}
        if connection.kind == "devnet":
            return self._devnet_snapshot(connection)
        return self._chain_snapshot(connection)

    def _chain_snapshot(self, connection: Connection) -> dict[str, Any]:
        try:
            with ChainClient(connection.target, timeout_s=QUERY_TIMEOUT_S) as client:
                status = client.status()
                data = _gather(client, {})
        except ChainError as err:
            return _base(connection, error=str(err), nodes_total=1)
        rows = views.participant_rows(data.pop("participants"), {}, {}, {})
        return _base(
            connection, chain_id=status["chain_id"], nodes_up=1, nodes_total=1, participants=rows, **data
        )

    def _devnet_snapshot(self, connection: Connection) -> dict[str, Any]:
        try:
            net = Devnet.open(Path(connection.target))
        except DevnetError as err:
            return _base(connection, error=f"devnet gone: {err}")
        nodes = net.status()
        names = _participant_names(net)
        by_participant: dict[str, list[dict[str, Any]]] = {}
        for node in nodes:
            by_participant.setdefault(node["participant"], []).append(node)
        up = [n for n in nodes if views.node_state(n) in ("up", "catching up")]
        chains = sorted((n for n in up if n["kind"] == "chain"), key=lambda n: n["height"], reverse=True)
        phases = {n["participant"]: phase for n in chains if (phase := _phase_of(n["url"])) is not None}
        base = _base(connection, chain_id=net.manifest.chain_id, nodes_up=len(up), nodes_total=len(nodes),
                     adversary_switch=adversary_switch(net))

        def rows(chain_participants: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return views.participant_rows(chain_participants, names, by_participant, phases, _adversaries(net))

        if not chains:
            stopped = sum(1 for n in nodes if not n["running"])
            error = (
                f"network down: no chain node of the devnet in {net.dir} answers ({stopped} of {len(nodes)} stopped)"
            )
            return base | {"error": error, "participants": rows([])}
        # The most advanced chain node speaks for the network.
        try:
            with ChainClient(chains[0]["url"], timeout_s=QUERY_TIMEOUT_S) as client:
                data = _gather(client, names)
        except ChainError as err:
            return base | {"error": f"{chains[0]['name']} did not answer: {err}", "participants": rows([])}
        chain_participants = data.pop("participants")
        return base | data | {"participants": rows(chain_participants)}

    # -- node actions (devnet only) --------------------------------------------------------

    def _devnet(self) -> Devnet:
        connection = self.connection
        if connection is None or connection.kind != "devnet":
            raise LabError("node actions need a connection to a local devnet", 409)
        try:
            return Devnet.open(Path(connection.target))
        except DevnetError as err:
            raise LabError(str(err), 409) from None

    def _node_name(self, net: Devnet, name: str) -> str:
        try:
            return net.node(name).name
        except DevnetError as err:
            raise LabError(str(err), 404) from None

    def stop_node(self, name: str, kill: bool = False) -> dict[str, Any]:
        net = self._devnet()
        full = self._node_name(net, name)
        was_running = net.stop(full, kill=kill, grace_s=STOP_GRACE_S)
        return {"node": full, "was_running": was_running}

    def start_node(self, name: str) -> dict[str, Any]:
        net = self._devnet()
        full = self._node_name(net, name)
        try:
            net.start(full, wait=True, timeout_s=START_TIMEOUT_S)
        except DevnetError as err:
            raise LabError(str(err), 409) from None
        return {"node": full, "running": True}

    def logs(self, name: str, lines: int = 200) -> dict[str, Any]:
        if not 1 <= lines <= MAX_LOG_LINES:
            raise LabError(f"lines must be between 1 and {MAX_LOG_LINES}, got {lines}")
        net = self._devnet()
        full = self._node_name(net, name)
        return {"node": full, "path": str(net.log_path(full)), "lines": net.logs(full, lines)}

    def set_adversary(self, name: str, mode: str) -> dict[str, Any]:
        """Switch participant `name` to `mode` (or ADVERSARY_OFF); restarts its ml and api nodes and
        waits until they serve again (an ML node loads its model first)."""
        if mode != ADVERSARY_OFF and mode not in ADVERSARY_MODES:
            raise LabError(f"unknown adversary mode {mode!r}; choose one of {', '.join(ADVERSARY_MODES)} or off")
        with self._switching:
            net = self._devnet()
            if name not in {p.name for p in net.manifest.participants}:
                raise LabError(f"no participant {name!r} (participants: "
                               f"{', '.join(p.name for p in net.manifest.participants)})", 404)
            switch = adversary_switch(net)
            if not switch["available"]:
                raise LabError(switch["reason"], 409)
            honest_or_mode = "" if mode == ADVERSARY_OFF else mode
            try:
                restarted = set_adversary(net, name, honest_or_mode, DEFAULT_READY_TIMEOUT_S)
            except DevnetError as err:
                raise LabError(str(err), 409) from None
        return {"participant": name, "mode": honest_or_mode, "restarted": restarted}
