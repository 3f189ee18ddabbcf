"""Api node overhead: inference through transfer agent -> executor next to the ML nodes called directly.

    .venv/bin/python bench/api.py [--streams 16] [--seconds 8] [--rounds 2] [--latency-requests 100]
                                  [--latency-tokens 1] [--steady-state] [--placement both|own|shared]

Starts a 2-participant full devnet whose first PoC is far away (epoch_length 1000), so the
whole run is one Inference phase. Its hosts are new (reputation 0: about one validator re-runs
each inference); with --steady-state the validation params make every inference as likely to
be validated as a fully reputed host's above the traffic cutoff (0.01 validators per inference),
the load a network settles into. The figures say which of the two they were measured under.
Both sides use the same two ML nodes:
- direct: the ML nodes' gRPC chat, requests alternating between them, with the body the
  executor would send (logprobs, top_logprobs 5, a seed);
- api: signed OpenAI requests to p1's HTTP API (the transfer agent), which routes each to an
  executor by weight: p1 itself or p2 (forwarded over HTTP), which runs it on its ML node and
  records Start/Finish on chain.
Placement of the processes on the CPUs, for the throughput rounds (both by default, one after
the other, same devnet):
- own: the ML nodes on CPUs of their own (the last one), every other process (api and chain
  nodes, this bench) on the rest: the stand-in for a host whose ML nodes compute on their own
  accelerator, as a Gonka host's GPUs do, so the figure shows whether the api path keeps an ML
  node as busy as a direct caller does. This is the placement the target is read on;
- shared: every process on every CPU: on a CPU-only machine the api and chain nodes then take
  CPU from the ML nodes, and the figure says what the whole protocol costs such a box.
Figures, all from this run:
- throughput: completion tokens/s with N concurrent streams, direct and api phases
  alternating (median of the per-round ratios; target >= 0.9 at 16 streams, own placement);
- added latency: a small non-streamed request (1 completion token by default, so that the ML
  node's own time and its noise stay small), sent one at a time alternating direct and api,
  before the throughput rounds: p50 through the api minus p50 direct, and the p50 of the
  paired differences (each api request minus the direct one just before it; target <= 10 ms),
  also split by whether the TA executed it itself or forwarded it; and where the api nodes
  spent the time, per stage (their gonka_api_stage_seconds means over the same requests),
  with the mean time spent in them outside the ML nodes (less noisy than the p50s on a
  loaded machine: it leaves the ML node's own time out);
- CPU per process kind (ML, api and chain nodes, this bench, anything else on the machine)
  during the direct and the api throughput phases of each placement, from /proc: CPU seconds
  and ms per completed request; where the ML nodes share the cores, what the api path adds
  here is what it takes from them (validation re-runs count in the ML rows of whichever phase
  they run in);
- the status on chain of every api request of the run (none should be lost or expire);
- validation share: compute the network spent re-running inferences (validation events on
  chain for this run's inferences x the measured validate/generate cost per token), next
  to the share the protocol targets at steady state (full reputation, traffic above the
  cutoff) and the reference's 1-10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gonka_lab.client import wait_serving  # noqa: E402
from gonka_lab.signing import GonkaSigningTransport  # noqa: E402
from node.chain.app.params.profiles import resolve_params  # noqa: E402
from node.chain.client import ChainClient  # noqa: E402
from node.core.keys import AccountKey  # noqa: E402
from node.devnet.chain_events import ChainEventLog  # noqa: E402
from node.devnet.network import Devnet  # noqa: E402
from node.ml.client import MlNodeClient  # noqa: E402

CHAT_ROUTE = "/v1/chat/completions"
QUIET_BLOCKS = 8  # no new validation of the run's inferences for this many blocks: the queues are drained
SETTLE_TIMEOUT_S = 180.0
# the api node's stage timers in the order a request passes them (node/api/metrics.py StageClock)
STAGES = ("body", "auth", "admission", "route", "ml_pick", "ml", "finish", "forward", "relay", "total")
LONG_EPOCH = {"epoch": {"epoch_length": 1000, "epoch_shift": 0}}
PROMPT = [{"role": "user", "content": "Write a short story about a lighthouse keeper."}]


def _steady_state_validation() -> dict[str, Any]:
    """Params under which every inference is validated as a fully reputed executor's above the
    full-traffic cutoff is (min_validation_average_ppm validators per inference): the reputation-0
    and low-traffic targets lowered to that one. A new network's hosts start at reputation 0 and
    would need epochs_to_max settled epochs to get there; this is the same validation load now."""
    steady = resolve_params("devnet", LONG_EPOCH).validation.min_validation_average_ppm
    return {"validation": {"max_validation_average_ppm": steady, "min_validation_halfway_ppm": steady}}


def _direct_body(model: str, max_tokens: int, seed: int) -> dict[str, Any]:
    # what the executor sends its ML node (reference completionapi/request.go)
    return {"model": model, "messages": PROMPT, "max_tokens": max_tokens, "logprobs": True, "top_logprobs": 5,
            "seed": seed}


class Sides:
    """The two ways to run one request; each returns (completion tokens, inference id or "")."""

    def __init__(self, net: Devnet, key: AccountKey) -> None:
        self.model = net.manifest.model
        self.ml = [MlNodeClient(node.url) for node in net.manifest.nodes_of("ml")]
        self.api = httpx.AsyncClient(base_url=net.node("p1-api").url, timeout=120,
                                     transport=GonkaSigningTransport(key),
                                     limits=httpx.Limits(max_connections=64, max_keepalive_connections=64))
        self.ids: list[str] = []
        self._turn = 0

    async def close(self) -> None:
        await self.api.aclose()
        for ml in self.ml:
            await ml.close()

    async def direct(self, max_tokens: int, stream: bool) -> int:
        self._turn += 1
        ml = self.ml[self._turn % len(self.ml)]
        body = _direct_body(self.model, max_tokens, self._turn)
        if not stream:
            return int((await ml.chat(body))["usage"]["completion_tokens"])
        tokens = 0
        async for chunk in ml.chat_stream(body):
            tokens += sum(1 for choice in chunk.get("choices", []) if (choice.get("delta") or {}).get("content"))
        return tokens

    async def through_api(self, max_tokens: int, stream: bool) -> int:
        body = {"model": self.model, "messages": PROMPT, "max_tokens": max_tokens, "stream": stream}
        if not stream:
            response = await self.api.post("/v1/chat/completions", json=body)
            response.raise_for_status()
            answer = response.json()
            self.ids.append(answer["id"])
            return int(answer["usage"]["completion_tokens"])
        tokens = 0
        async with self.api.stream("POST", "/v1/chat/completions", json=body) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                if line.startswith("data:") and "[DONE]" not in line:
                    chunk = json.loads(line[5:])
                    if not tokens:
                        self.ids.append(chunk["id"])
                    tokens += sum(1 for c in chunk.get("choices", []) if (c.get("delta") or {}).get("content"))
        return tokens


async def _throughput(run: Callable[[], Awaitable[int]], streams: int, seconds: float) -> tuple[float, int]:
    """(completion tokens per second, requests completed) with `streams` workers sending back to
    back for `seconds`."""
    deadline = time.monotonic() + seconds
    start = time.monotonic()

    async def worker() -> tuple[int, int]:
        tokens = requests = 0
        while time.monotonic() < deadline:
            tokens += await run()
            requests += 1
        return tokens, requests

    done = await asyncio.gather(*(worker() for _ in range(streams)))
    return sum(t for t, _ in done) / (time.monotonic() - start), sum(r for _, r in done)


CPU_KINDS = ("ml", "api", "chain", "bench client", "machine")  # machine: every process, others' included
_TICK_S = 1 / os.sysconf("SC_CLK_TCK")


def _process_cpu_s(pid: int) -> float:
    """utime + stime of a live process and all its threads (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()  # fields from 3 (state) on
    return (int(fields[11]) + int(fields[12])) * _TICK_S


def _machine_busy_s() -> float:
    """CPU seconds all cores spent on anything but idle and iowait since boot (the "cpu" line of /proc/stat)."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) * _TICK_S


class CpuAccount:
    """CPU seconds per process kind of the devnet (and of this bench and of the whole machine),
    summed over the intervals between `start` and `stop` of each phase."""

    def __init__(self, net: Devnet) -> None:
        self._pids = [(node.kind, pid) for node in net.manifest.nodes if (pid := net.pid(node)) is not None]
        self.seconds: dict[str, Counter[str]] = {}  # phase -> kind -> CPU s
        self.wall_s: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self._open: tuple[float, Counter[str]] | None = None

    def _snapshot(self) -> Counter[str]:
        now: Counter[str] = Counter()
        for kind, pid in self._pids:
            now[kind] += _process_cpu_s(pid)
        now["bench client"] = _process_cpu_s(os.getpid())
        now["machine"] = _machine_busy_s()
        return now

    def start(self) -> None:
        self._open = (time.monotonic(), self._snapshot())

    def stop(self, phase: str, requests: int) -> None:
        assert self._open is not None, "stop without start"
        started, before = self._open
        after = self._snapshot()
        self.seconds.setdefault(phase, Counter()).update({kind: after[kind] - before[kind] for kind in CPU_KINDS})
        self.wall_s[phase] += time.monotonic() - started
        self.requests[phase] += requests
        self._open = None


def _process_tree(pid: int) -> list[int]:
    """`pid` and every live descendant of it (an ML node's helper processes included)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (FileNotFoundError, ProcessLookupError):
                continue  # ended while we looked
            children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(current := todo.pop())
        todo.extend(children.get(current, []))
    return tree


def _pin_threads(pid: int, cpus: set[int]) -> None:
    """Every thread of one process onto `cpus` (threads it starts later inherit it)."""
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            os.sched_setaffinity(int(task.name), cpus)
        except (FileNotFoundError, ProcessLookupError):
            continue  # the thread ended


def _pin(pid: int, cpus: set[int]) -> None:
    """`pid` and its descendants onto `cpus`."""
    for process in _process_tree(pid):
        _pin_threads(process, cpus)


class Placement:
    """Which CPUs the ML nodes run on and which every other process of the bench runs on."""

    def __init__(self, name: str, ml_cpus: set[int], other_cpus: set[int]) -> None:
        self.name, self.ml_cpus, self.other_cpus = name, ml_cpus, other_cpus

    @staticmethod
    def choices(which: str) -> list[Placement]:
        cpus = sorted(os.sched_getaffinity(0))
        own = Placement("own", {cpus[-1]}, set(cpus[:-1]))
        shared = Placement("shared", set(cpus), set(cpus))
        if len(cpus) < 2 and which != "shared":
            raise SystemExit("the own placement needs at least 2 CPUs; use --placement shared")
        return {"own": [own], "shared": [shared], "both": [own, shared]}[which]

    def describe(self) -> str:
        if self.name == "shared":
            return f"shared: every process on CPUs {sorted(self.ml_cpus)}"
        return f"own: ML nodes on CPU {sorted(self.ml_cpus)}, api and chain nodes and this bench on {sorted(self.other_cpus)}"

    def apply(self, net: Devnet) -> None:
        for node in net.manifest.nodes:
            if (pid := net.pid(node)) is not None:
                _pin(pid, self.ml_cpus if node.kind == "ml" else self.other_cpus)
        _pin_threads(os.getpid(), self.other_cpus)  # its own threads only: the nodes are its children


async def _latencies(sides: Sides, requests: int, tokens: int) -> tuple[list[float], list[float]]:
    direct, api = [], []
    for _ in range(requests):  # alternating, one at a time: no queueing in either figure
        for side, out in ((sides.direct, direct), (sides.through_api, api)):
            start = time.perf_counter()
            await side(tokens, False)
            out.append((time.perf_counter() - start) * 1000)
    return direct, api


Stages = dict[tuple[str, str], tuple[float, float]]  # (role, stage) -> (seconds summed, requests)


def _stages(api_url: str) -> Stages:
    """An api node's stage timers and its chat route's total, as (sum, count) so far."""
    found: Stages = {}
    text = httpx.get(api_url + "/metrics", timeout=30).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = sample.labels
            if sample.name.startswith("gonka_api_stage_seconds_"):
                key = (labels["role"], labels["stage"])
            elif sample.name.startswith("gonka_api_http_request_seconds_") and labels["route"] == CHAT_ROUTE:
                key = ("all", "total")
            else:
                continue
            total, count = found.get(key, (0.0, 0.0))
            if sample.name.endswith("_sum"):
                found[key] = (sample.value, count)
            elif sample.name.endswith("_count"):
                found[key] = (total, sample.value)
    return found


def _stage_means(before: Stages, after: Stages) -> dict[tuple[str, str], tuple[float, int]]:
    """(mean ms, requests) of each stage between two snapshots."""
    means = {}
    for key, (total, count) in after.items():
        old_total, old_count = before.get(key, (0.0, 0.0))
        if count > old_count:
            means[key] = ((total - old_total) / (count - old_count) * 1000, int(count - old_count))
    return means


async def _per_token_costs(ml: MlNodeClient, model: str) -> tuple[float, float]:
    """ms per completion token to generate, and to validate (teacher-forced), on one idle ML node."""
    body = _direct_body(model, 128, 7)
    generate, validate = [], []
    for _ in range(3):
        start = time.perf_counter()
        answer = await ml.chat(body)
        generate.append((time.perf_counter() - start) * 1000 / answer["usage"]["completion_tokens"])
        start = time.perf_counter()
        await ml.validate_inference(body, answer)
        validate.append((time.perf_counter() - start) * 1000 / answer["usage"]["completion_tokens"])
    return statistics.median(generate), statistics.median(validate)


def _steady_state_validators_per_inference(params: dict[str, Any]) -> float:
    """Expected validators per inference of a fully reputed executor above the full-traffic cutoff."""
    return params["validation"]["min_validation_average_ppm"] / 1e6


async def _throughput_rounds(sides: Sides, net: Devnet, placement: Placement,
                             args: argparse.Namespace) -> dict[str, Any]:
    """Direct and api throughput phases, alternating, under one placement of the processes."""
    placement.apply(net)
    ratios, direct_tps, api_tps = [], [], []
    cpu = CpuAccount(net)
    for round_ in range(args.rounds):
        cpu.start()
        d, requests = await _throughput(lambda: sides.direct(args.max_tokens, True), args.streams, args.seconds)
        cpu.stop("direct", requests)
        cpu.start()
        a, requests = await _throughput(lambda: sides.through_api(args.max_tokens, True), args.streams, args.seconds)
        cpu.stop("api", requests)
        direct_tps.append(d)
        api_tps.append(a)
        ratios.append(a / d)
        print(f"{placement.name} placement, round {round_ + 1}: direct {d:.0f} tok/s, api {a:.0f} tok/s, "
              f"ratio {a / d:.2f}", flush=True)
    return {"placement": placement, "ratios": ratios, "direct_tps": direct_tps, "api_tps": api_tps, "cpu": cpu}


async def bench(net: Devnet, args: argparse.Namespace) -> dict[str, Any]:
    key = AccountKey.from_private_hex(net.manifest.faucet.private_key)
    sides = Sides(net, key)
    try:
        print("warming up ...", flush=True)
        await _throughput(lambda: sides.through_api(16, True), 4, 2)
        await _throughput(lambda: sides.direct(16, True), 4, 2)
        # latency first: validations of the throughput rounds' inferences would keep the ML nodes busy
        first = len(sides.ids)
        nodes = [net.node(name).url for name in ("p1-api", "p2-api")]
        before = [await asyncio.to_thread(_stages, url) for url in nodes]
        direct_ms, api_ms = await _latencies(sides, args.latency_requests, args.latency_tokens)
        after = [await asyncio.to_thread(_stages, url) for url in nodes]
        latency_ids = sides.ids[first:]
        throughput = {placement.name: await _throughput_rounds(sides, net, placement, args)
                      for placement in Placement.choices(args.placement)}
        Placement.choices("shared")[0].apply(net)
        generate_ms, validate_ms = await _per_token_costs(sides.ml[0], sides.model)
        return {
            "throughput": throughput, "direct_ms": direct_ms, "api_ms": api_ms,
            "generate_ms": generate_ms, "validate_ms": validate_ms, "ids": list(sides.ids),
            "latency_ids": latency_ids, "stages": [_stage_means(b, a) for b, a in zip(before, after)],
        }
    finally:
        await sides.close()


def _settled_validations(events: ChainEventLog, ours: set[str]) -> list[Any]:
    """The run's validations once the validators' queues drained: none new for QUIET_BLOCKS blocks
    (each validator re-runs its queue one inference at a time, so the last land well after Finish)."""
    count, changed_at = -1, events.height
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while True:
        validated = [e for e in events.find("inference_validation") if e["inference_id"] in ours]
        if len(validated) != count:
            count, changed_at = len(validated), events.height
        elif events.height - changed_at >= QUIET_BLOCKS or time.monotonic() >= deadline:
            return validated
        events.wait_height(events.height + 1, SETTLE_TIMEOUT_S)


def _validation_share(net: Devnet, events: ChainEventLog, ids: list[str], result: dict[str, Any]) -> dict[str, float]:
    ours = set(ids)
    validated = _settled_validations(events, ours)
    with ChainClient(net.node("p1-chain").url) as client:
        tokens = {i: client.query("inference", inference_id=i)["completion_token_count"] for i in ours}
        params = client.query("params")
    generated = sum(tokens.values())
    revalidated = sum(tokens[e["inference_id"]] for e in validated)
    cost_ratio = result["validate_ms"] / result["generate_ms"]
    return {
        "validations": len(validated),
        "inferences": len(ours),
        "measured": revalidated * result["validate_ms"] / max(1, generated * result["generate_ms"]),
        "cost_ratio": cost_ratio,
        "steady": _steady_state_validators_per_inference(params) * cost_ratio,
    }


def _p50(values: list[float]) -> float:
    return statistics.median(values)


def _print_latency(result: dict[str, Any], forwarded: dict[str, bool], args: argparse.Namespace) -> None:
    direct, api = result["direct_ms"], result["api_ms"]
    print()
    print(f"Added latency of a {args.latency_tokens}-token non-streamed request ({args.latency_requests} each side, "
          f"one at a time, alternating; direct p50 {_p50(direct):.1f} ms; target <= 10 ms):")
    print()
    print("| path | requests | api p50 | p50 api - p50 direct | p50 of paired differences |")
    print("| --- | --- | --- | --- | --- |")
    paths = {"all api requests": [True, False], "TA = executor": [False], "TA -> other executor": [True]}
    for path, kinds in paths.items():
        pairs = [(d, a) for d, a, i in zip(direct, api, result["latency_ids"]) if forwarded[i] in kinds]
        if pairs:
            ms = [a for _, a in pairs]
            print(f"| {path} | {len(pairs)} | {_p50(ms):.1f} ms | {_p50(ms) - _p50(direct):.1f} ms | "
                  f"**{_p50([a - d for d, a in pairs]):.1f} ms** |")
    print()
    print("Where the api nodes spent it (mean ms per request over the same requests; `total` is the HTTP")
    print("request from its first to its last byte, the stages are consecutive parts of it):")
    print()
    print("| node | role | stage | requests | mean |")
    print("| --- | --- | --- | --- | --- |")
    for node, stages in zip(("p1", "p2"), result["stages"]):
        for (role, stage), (mean, count) in sorted(stages.items(), key=lambda item: STAGES.index(item[0][1])):
            print(f"| {node} | {role} | {stage} | {count} | {mean:.2f} ms |")
    print()
    print(f"Time in the api nodes outside the ML nodes (the TA's whole request, the hop and the executor's part "
          f"included, the client's HTTP not), mean per request: **{_outside_ml_ms(result['stages']):.2f} ms**")


def _print_cpu(cpu: CpuAccount, placement: Placement) -> None:
    phases = ("direct", "api")
    print()
    print(f"{placement.describe()}. Where the CPU went during the throughput rounds (utime+stime from /proc; \"other processes\" = the")
    print("machine's busy time minus the rows above it, i.e. anything outside this bench and its devnet):")
    print()
    print("| process kind | direct: CPU s | direct: ms per request | api: CPU s | api: ms per request | "
          "api - direct, ms per request |")
    print("| --- | --- | --- | --- | --- | --- |")
    rows: dict[str, dict[str, float]] = {phase: dict(cpu.seconds[phase]) for phase in phases}
    for phase in phases:
        ours = rows[phase]
        ours["devnet (ml + api + chain)"] = ours["ml"] + ours["api"] + ours["chain"]
        ours["other processes"] = ours.pop("machine") - ours["devnet (ml + api + chain)"] - ours["bench client"]
    for kind in ("ml", "api", "chain", "devnet (ml + api + chain)", "bench client", "other processes"):
        per_request = {p: rows[p][kind] * 1000 / max(1, cpu.requests[p]) for p in phases}
        print(f"| {kind} | {rows['direct'][kind]:.2f} | {per_request['direct']:.1f} | {rows['api'][kind]:.2f} | "
              f"{per_request['api']:.1f} | {per_request['api'] - per_request['direct']:+.1f} |")
    print()
    print(" ; ".join(f"{p}: {cpu.requests[p]} requests in {cpu.wall_s[p]:.1f} s, machine busy "
                     f"{cpu.seconds[p]['machine'] / cpu.wall_s[p]:.2f} of {os.cpu_count()} cores" for p in phases))


def _outside_ml_ms(stages: list[dict[tuple[str, str], tuple[float, int]]]) -> float:
    """(the TA's request time - every ML call's time on both nodes) / requests, from the stage means."""
    def summed(node: int, stage: str) -> float:
        return sum(mean * count for (_, name), (mean, count) in stages[node].items() if name == stage)

    requests = stages[0][("all", "total")][1]
    return (summed(0, "total") - summed(0, "ml") - summed(1, "ml")) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--placement", choices=("both", "own", "shared"), default="both",
                        help="throughput with the ML nodes on a CPU of their own, on the shared CPUs, or both")
    parser.add_argument("--latency-requests", type=int, default=100)
    parser.add_argument("--latency-tokens", type=int, default=1)
    parser.add_argument("--steady-state", action="store_true",
                        help="validate as often as for fully reputed hosts (0.01 validators per inference) "
                             "instead of a new network's reputation 0 (~1 per inference)")
    args = parser.parse_args()
    overrides = LONG_EPOCH | (_steady_state_validation() if args.steady_state else {})
    mode = ("STEADY STATE: validation as for reputation 100 above the traffic cutoff" if args.steady_state
            else "NEW HOSTS: reputation 0, ~1 validator per inference")
    print(f"validation load: {mode}", flush=True)
    with tempfile.TemporaryDirectory(prefix="gonka-bench-api-") as folder:
        net = Devnet.up(Path(folder) / "net", participants=2, only="all", timeout_s=240, params_overrides=overrides)
        try:
            faucet = AccountKey.from_private_hex(net.manifest.faucet.private_key)
            wait_serving(net.node("p1-api").url, faucet, net.manifest.model, 120)
            with ChainEventLog(net.node("p1-chain").url) as events:
                result = asyncio.run(bench(net, args))
                share = _validation_share(net, events, result["ids"], result)
                with ChainClient(net.node("p1-chain").url) as client:
                    records = {i: client.query("inference", inference_id=i) for i in result["ids"]}
        finally:
            net.down()
    ta = next(p.address for p in net.manifest.participants if p.name == "p1")
    executors = {i: record["executed_by"] for i, record in records.items()}
    statuses = Counter(record["status"] for record in records.values())
    forwarded = sum(1 for e in executors.values() if e != ta)
    print()
    print(f"validation load: {mode}")
    print(f"| placement | streams | direct tok/s | api tok/s | ratio (median of {args.rounds}; rounds) |")
    print("| --- | --- | --- | --- | --- |")
    for rounds in result["throughput"].values():
        print(f"| {rounds['placement'].describe()} | {args.streams} | {_p50(rounds['direct_tps']):.0f} | "
              f"{_p50(rounds['api_tps']):.0f} | **{_p50(rounds['ratios']):.2f}** "
              f"({', '.join(f'{r:.2f}' for r in rounds['ratios'])}) |")
    print("target: ratio >= 0.9 with the ML nodes on CPUs of their own (a GPU's stand-in)")
    for rounds in result["throughput"].values():
        _print_cpu(rounds["cpu"], rounds["placement"])
    _print_latency(result, {i: executors[i] != ta for i in result["latency_ids"]}, args)
    print(f"executors of all api requests: {len(executors) - forwarded} run by the TA itself, {forwarded} forwarded; "
          f"their status on chain: {', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))}")
    print(f"validation: {share['validations']} validations of {share['inferences']} inferences; validating costs "
          f"{share['cost_ratio']:.3f} of generating per token ({result['validate_ms']:.3f} vs "
          f"{result['generate_ms']:.3f} ms); share of compute on validation in this run "
          f"**{share['measured'] * 100:.1f} %** ({mode}); at steady "
          f"state (reputation 100, traffic above the cutoff: 0.01 validators per inference) "
          f"**{share['steady'] * 100:.2f} %**; reference: 1-10 % of inferences re-run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
