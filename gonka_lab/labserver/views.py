"""Pure functions that turn chain query answers and devnet status rows into what the sidebar shows.

No I/O here: `state.py` gathers the raw answers, these functions shape them, and the unit tests
feed them recorded answers.
"""

from __future__ import annotations

from typing import Any

# Stage boundaries of one epoch in chronological order (the chain's `epoch` query names them so).
STAGE_ORDER = (
    "poc_start",
    "poc_generation_wind_down",
    "poc_generation_end",
    "poc_validation_start",
    "poc_validation_wind_down",
    "poc_validation_end",
    "set_new_validators",
    "claim_money",
    "inference_validation_cutoff",
)

# What an inference's chain status says about its validation.
VALIDATION_OUTCOME = {
    "STARTED": "running",
    "FINISHED": "awaiting validation",
    "VALIDATED": "valid",
    "INVALIDATED": "invalid",
    "VOTING": "invalidation vote",
    "EXPIRED": "expired",
}

LATEST_INFERENCES = 10
# Developers register as participants too; the table lists hosts only.
HOST_KIND = "PARTICIPANT_KIND_HOST"


def _fraction(done: int, total: int) -> float:
    if total <= 0:
        return 1.0
    return min(1.0, max(0.0, done / total))


def epoch_view(epoch: dict[str, Any]) -> dict[str, Any]:
    """The `epoch` query answer -> index, phase, current stage and progress towards the next PoC."""
    height = epoch["height"]
    stages = epoch.get("stages")
    # Epoch 0 has no PoC: it runs from genesis to the first PoC start.
    start = epoch["poc_start_height"] if epoch["poc_start_height"] is not None else 0
    end = epoch["next_poc_start_height"]
    marks = []
    stage = "genesis" if stages is None else "poc_start"
    if stages is not None:
        for name in STAGE_ORDER:
            marks.append({"name": name, "height": stages[name], "at": _fraction(stages[name] - start, end - start)})
            if stages[name] <= height:
                stage = name
    return {
        "index": epoch["epoch_index"],
        "effective_index": epoch["effective_epoch_index"],
        "phase": epoch["phase"],
        "stage": stage,
        "height": height,
        "start_height": start,
        "next_poc_start_height": end,
        "progress": _fraction(height - start, end - start),
        "marks": marks,
    }


def sprint_view(
    epoch: dict[str, Any], batches: list[dict[str, Any]], names: dict[str, str]
) -> dict[str, Any] | None:
    """PoC sprint progress while a PoC phase runs (None otherwise): how far generation or
    validation has come by height, and the nonces each participant has submitted."""
    stages = epoch.get("stages")
    if stages is None or not epoch["phase"].startswith("PoC"):
        return None
    height = epoch["height"]
    if epoch["phase"].startswith("PoCGenerate"):
        stage, first, last = "generation", stages["poc_start"], stages["poc_generation_end"]
    else:
        stage, first, last = "validation", stages["poc_validation_start"], stages["poc_validation_end"]
    nonces: dict[str, int] = {}
    for batch in batches:
        who = names.get(batch.get("participant", ""), batch.get("participant", "?"))
        nonces[who] = nonces.get(who, 0) + int(batch.get("nonce_count", 0))
    return {
        "stage": stage,
        "progress": _fraction(height - first, last - first),
        "from_height": first,
        "to_height": last,
        "batches": len(batches),
        "nonces": nonces,
    }


def inference_rows(inferences: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """The latest inferences first, each with its validation outcome in words."""
    latest = sorted(inferences, key=lambda i: int(i.get("first_seen_height", 0)), reverse=True)
    return [
        {
            "id": inf["inference_id"],
            "model": inf.get("model", ""),
            "executor": names.get(inf.get("executed_by", ""), inf.get("executed_by", "")),
            "requested_by": names.get(inf.get("requested_by", ""), inf.get("requested_by", "")),
            "status": inf.get("status", ""),
            "outcome": VALIDATION_OUTCOME.get(inf.get("status", ""), "unknown"),
            "height": int(inf.get("first_seen_height", 0)),
            "tokens": int(inf.get("prompt_token_count", 0)) + int(inf.get("completion_token_count", 0)),
        }
        for inf in latest[:LATEST_INFERENCES]
    ]


# The status field that only a node which answered its probe fills in, per process kind;
# an api node's probe leaves no trace in its status row, so for it only the process counts.
_ANSWER_FIELD = {"chain": "height", "ml": "state"}


def node_state(row: dict[str, Any]) -> str:
    """One devnet status row -> 'up', 'catching up', 'unreachable' (the process runs but does
    not answer) or 'down' (no process)."""
    if not row["running"]:
        return "down"
    field = _ANSWER_FIELD.get(row["kind"])
    if field is not None and row.get(field) is None:
        return "unreachable"
    return "catching up" if row.get("catching_up") else "up"


def participant_rows(
    chain_participants: list[dict[str, Any]],
    names: dict[str, str],
    nodes: dict[str, list[dict[str, Any]]],
    phases: dict[str, str],
    adversaries: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per participant: the chain's record (weight, power, reputation, executor status)
    joined with its devnet nodes (`nodes` by participant name; the chain node gives height and
    status), the phase its own chain node is in and the adversary mode it runs ("" = honest).

    Hosts known to the devnet but missing on chain (or the reverse) still get a row."""
    by_address = {p["address"]: p for p in chain_participants if p.get("kind") == HOST_KIND}
    ordered = [a for a in names if a in by_address or names[a] in nodes]
    ordered += [a for a in by_address if a not in names]
    rows = []
    for address in ordered:
        record = by_address.get(address, {})
        name = names.get(address, address)
        own = nodes.get(name, [])
        chain = next((n for n in own if n["kind"] == "chain"), None)
        rows.append(
            {
                "name": name,
                "address": address,
                "status": node_state(chain) if chain else "unknown",
                "executor_status": record.get("status"),
                "weight": record.get("weight"),
                "voting_power": record.get("voting_power"),
                "reputation": record.get("reputation"),
                "height": chain["height"] if chain else None,
                "phase": phases.get(name),
                "adversary": (adversaries or {}).get(name, ""),
                "nodes": [
                    {"name": n["name"], "kind": n["kind"], "state": node_state(n), "height": n.get("height"),
                     "url": n["url"]}
                    for n in own
                ],
            }
        )
    return rows
