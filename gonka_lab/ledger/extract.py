"""Blocks (as `ChainClient.stream_blocks` yields them) -> rows for the ledger's tables.

Pure and in memory: `Extraction.add(block)` appends rows; the writer stores a whole
extraction in one transaction. Rows keep the chain's attribute strings (schema.py casts).

An inference's lifecycle arrives as several events over many blocks; it is folded into one
`inferences` row per id with three merge rules, applied here within an extraction and by
the writer's upsert across extractions:
    status                     the latest event wins
    refund, validations        add up (a finish refund, then a claw-back; one per validation)
    every other column         the first value seen wins (heights, tokens, parties)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from json.encoder import encode_basestring as _quote  # the C string escaper behind json.dumps
from typing import Any

import orjson

from gonka_lab.ledger import schema

Attrs = dict[str, str]
LAST_WINS = frozenset({"status"})
ADDED = frozenset({"refund", "validations"})
INFERENCE_COLUMNS = schema.INFERENCES.column_names
_NEW_INFERENCE = dict.fromkeys(INFERENCE_COLUMNS) | {"validations": 0}  # rows keep the table's column order


class BlockOrderError(ValueError):
    """Blocks must arrive as consecutive heights, each naming the previous block's hash."""


class MalformedBlock(ValueError):
    """A block or event lacks a field the ledger reads."""


class Extraction:
    """Rows for a run of consecutive blocks, starting right after `after_height`."""

    def __init__(self, after_height: int, after_hash: str | None = None) -> None:
        self.after_height = after_height
        self.last_height = after_height
        self.last_hash = after_hash
        self.rows: dict[str, list[tuple[Any, ...]]] = {t.name: [] for t in schema.TABLES if t is not schema.INFERENCES}
        self.inferences: dict[str, dict[str, Any]] = {}
        self.event_count = 0

    @property
    def block_count(self) -> int:
        return len(self.rows["blocks"])

    def add(self, block: dict[str, Any]) -> None:
        try:
            self._add(block)
        except KeyError as missing:
            height = block.get("height")
            raise MalformedBlock(f"block {height}: no field {missing} where the ledger expects one") from None

    def _add(self, block: dict[str, Any]) -> None:
        height = block["height"]
        if height != self.last_height + 1:
            raise BlockOrderError(f"expected block {self.last_height + 1}, got {height}")
        if self.last_hash is not None and block["last_block_hash"] != self.last_hash:
            raise BlockOrderError(
                f"block {height} does not follow the indexed block {height - 1} (hash {self.last_hash[:16]}…): "
                "is this node on another chain than the one this ledger indexed?"
            )
        events_rows, tx_rows = self.rows["events"], self.rows["txs"]
        before = len(events_rows)
        for tx_index, (tx_hash, result) in enumerate(zip(block["txs"], block["tx_results"], strict=True)):
            events = result["events"]
            sender, actions = self._events(height, tx_index, events)
            tx_rows.append(
                (height, tx_index, tx_hash, result["code"], result["log"], sender, ",".join(actions) or None,
                 len(events))
            )
        self._events(height, None, block["events"])
        count = len(events_rows) - before
        self.rows["blocks"].append(
            (height, block["hash"], block["app_hash"], block["time_ms"], block["proposer"], len(block["txs"]), count,
             block["evidence_count"])
        )
        self.event_count += count
        self.last_height, self.last_hash = height, block["hash"]

    def add_all(self, blocks: Iterable[dict[str, Any]]) -> None:
        for block in blocks:
            self.add(block)

    def _events(
        self, height: int, tx_index: int | None, events: list[dict[str, Any]]
    ) -> tuple[str | None, list[str]]:
        """Rows for one tx's (or the block's own) events; returns the sender and the actions of
        its message events. One call per tx, not per event: this loop is most of the indexer's
        Python time."""
        events_rows, dumps = self.rows["events"], orjson.dumps
        sender, actions = None, []
        for event_index, event in enumerate(events):
            attributes, kind = event["attributes"], event["type"]
            attrs: Attrs = {}
            for attribute in attributes:  # a loop, not a comprehension: Python 3.11 calls a function for one
                attrs[attribute["key"]] = attribute["value"]
            # orjson writes what json.dumps(separators=(",", ":"), ensure_ascii=False) would, several
            # times faster; an event that repeats a key keeps every pair, which a dict cannot hold
            text = dumps(attrs).decode() if len(attrs) == len(attributes) else _json_pairs(attributes)
            events_rows.append((height, tx_index, event_index, kind, text))
            if kind == "message":
                sender = sender or attrs.get("sender")
                actions.append(attrs.get("action", ""))
            elif (handler := _HANDLERS.get(kind)) is not None:
                handler(self, height, tx_index, attrs)
        return sender, actions

    def patch(self, inference_id: str, **values: Any) -> None:
        """Fold one lifecycle event into the inference's pending row (see the module docstring)."""
        row = self.inferences.get(inference_id)
        if row is None:  # every rule keeps a new row's first non-null values (validations start at 0)
            row = self.inferences[inference_id] = _NEW_INFERENCE.copy()
            row["inference_id"] = inference_id
            for column, value in values.items():
                if value is not None:
                    row[column] = value
            return
        for column, value in values.items():  # the most frequent case first: a column still empty
            stored = row[column]
            if stored is None or column in LAST_WINS:
                if value is not None:
                    row[column] = value
            elif value is None:
                continue
            elif column == "refund":
                row[column] = str(int(stored) + int(value))
            elif column in ADDED:
                row[column] = stored + value

    def inference_rows(self) -> list[tuple[Any, ...]]:
        return [tuple(row.values()) for row in self.inferences.values()]


def _json_pairs(attributes: list[dict[str, str]]) -> str:
    """The attributes as a JSON object text, in their order, repeated keys included."""
    return "{" + ",".join(_quote(a["key"]) + ":" + _quote(a["value"]) for a in attributes) + "}"


# -- one handler per event type that feeds a typed table ------------------------------------

Handler = Callable[[Extraction, int, "int | None", Attrs], None]


def _started(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.patch(
        a["inference_id"], status="STARTED", model=a["model"], requester=a["requested_by"],
        transferred_by=a["transferred_by"], executor=a["executor"], per_token_price=a["per_token_price"],
        escrow=a["escrow"], started_height=height,
    )


def _finished(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.patch(
        a["inference_id"], status="FINISHED", model=a["model"], requester=a["requested_by"],
        transferred_by=a["transferred_by"], executor=a["executor"], epoch=a["epoch"],
        prompt_tokens=a["prompt_token_count"], completion_tokens=a["completion_token_count"],
        per_token_price=a["per_token_price"], cost=a["actual_cost"], refund=a["refund"],
        executor_power=a["executor_power"], executor_reputation=a["executor_reputation"],
        total_power=a["total_power"], finished_height=height,
    )


def _validation(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["validations"].append(
        (height, tx, a["inference_id"], a["validator"], a["executor"], a["model"], a["value_ppm"], a["threshold_ppm"],
         a["passed"], a["revalidation"], a["needs_revalidation"], a["status"])
    )
    x.patch(a["inference_id"], status=a["status"], executor=a["executor"], validations=1)


def _validated(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.patch(a["inference_id"], status=a["status"], validated_height=height)


def _invalidated(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.patch(a["inference_id"], status=a["status"], invalidated_height=height, refund=a["refund"])


def _expired(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.patch(
        a["inference_id"], status="EXPIRED", executor=a["executor"], requester=a["requested_by"],
        expired_height=height, refund=a["refund"],
    )


def _weights(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["participants_by_epoch"].append(
        (a["epoch_index"], a["address"], a["claimed"], a["weight"], a["capped"], a["accepted"], a["reason"], height)
    )


def _poc_batch(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["poc_batches"].append(
        (height, tx, a["address"], a["poc_start_height"], a["batch_id"], a["node_id"], a["nonce_count"])
    )


def _poc_validation(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["poc_validations"].append(
        (height, tx, a["validator"], a["participant"], a["poc_start_height"], a["n_invalid"], a["fraud_detected"])
    )


def _settlement(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["settlements"].append((height, a["epoch_index"], a["address"], a["work_coins"], a["reward_coins"]))


def _reward(
    kind: str, address: str, amount: str, epoch: str | None = None, reason: str | None = None,
    work: str | None = None, reward: str | None = None, burned: str | None = None,
) -> Callable[[Extraction, int, int | None, Attrs], None]:
    """A handler that turns one event into a `rewards` row; the arguments name its attributes."""

    def handler(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
        def get(key: str | None) -> str | None:
            return None if key is None else a.get(key)

        x.rows["rewards"].append(
            (height, tx, kind, a[address], get(epoch), a[amount], get(work), get(reward), get(burned), get(reason))
        )

    return handler


def _cheater_marked(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["cheaters"].append((height, a["epoch_index"], a["address"], a["reason"], "cheater_marked"))


def _jailed(x: Extraction, height: int, tx: int | None, a: Attrs) -> None:
    x.rows["cheaters"].append((height, None, a["operator_address"], a["reason"], "validator_jailed"))


_HANDLERS: dict[str, Handler] = {
    "inference_started": _started,
    "inference_finished": _finished,
    "inference_validation": _validation,
    "inference_validated": _validated,
    "inference_revalidated": _validated,
    "inference_invalidated": _invalidated,
    "inference_expired": _expired,
    "weights_computed": _weights,
    "poc_batch": _poc_batch,
    "poc_validation": _poc_validation,
    "settlement": _settlement,
    "rewards_claimed": _reward("claim", "address", "paid", "epoch_index", None, "work_coins", "reward_coins", "burned"),
    "mint": _reward("mint", "recipient", "amount"),
    "burn": _reward("burn", "holder", "amount", reason="reason"),
    "slashed": _reward("slash", "address", "amount", reason="reason"),
    "forfeited": _reward("forfeit", "address", "amount", "epoch_index", "reason"),
    "cheater_marked": _cheater_marked,
    "validator_jailed": _jailed,
}
