"""The events' JSON text: exactly what json.dumps writes, whatever the attribute strings hold."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from gonka_lab.ledger import schema
from gonka_lab.ledger.extract import Extraction

AWKWARD = [
    'say "hi"', "back\\slash", "lines\n\ttab\r\x00\x1f\x7f", "ngonka é € 😀", "\u2028\u2029", "</script>", "",
]


def _block(attributes: list[tuple[str, str]]) -> dict[str, Any]:
    event = {"type": "transfer", "attributes": [{"key": k, "value": v} for k, v in attributes]}
    result = {"code": 0, "log": "", "events": [event]}
    return {"height": 1, "hash": "h1", "app_hash": "a1", "time_ms": 0, "proposer": "p", "txs": ["t1"],
            "tx_results": [result], "events": [], "evidence_count": 0, "last_block_hash": ""}


def _text(attributes: list[tuple[str, str]]) -> str:
    extraction = Extraction(0)
    extraction.add(_block(attributes))
    (row,) = extraction.rows["events"]
    return row[-1]


def test_event_text_is_what_json_dumps_writes() -> None:
    attributes = [(f"key {i} {value}", value) for i, value in enumerate(AWKWARD)]
    text = _text(attributes)
    assert text == json.dumps(dict(attributes), separators=(",", ":"), ensure_ascii=False)
    column_type = dict(schema.EVENTS.columns)["attributes"]
    stored = duckdb.connect().execute(f"SELECT CAST(? AS {column_type}) ->> ?", [text, attributes[3][0]])
    assert stored.fetchall() == [(AWKWARD[3],)]


def test_a_repeated_key_keeps_every_pair_in_order() -> None:
    assert _text([("amount", "1"), ("to", "a\"b"), ("amount", "2")]) == '{"amount":"1","to":"a\\"b","amount":"2"}'
