"""Server-sent events of a streamed completion: one `data:` line per chunk, parseable as sent."""

from __future__ import annotations

import json

from node.api.public.streaming import sse_event

CHUNK = {
    "id": "inference-id/+=",
    "object": "chat.completion.chunk",
    "choices": [{"index": 0, "delta": {"content": "Phare « gardien » 灯台"}, "token_ids": [17, 4],
                 "logprobs": {"content": [{"token": "a", "logprob": -1.25e-05, "top_logprobs": []}]}}],
    "usage": None,
}


def test_an_event_is_one_data_line_that_parses_back_to_the_chunk() -> None:
    event = sse_event(CHUNK)
    assert event.startswith(b"data: ") and event.endswith(b"\n\n")
    line = event[len(b"data: "):-2]
    assert b"\n" not in line  # one event per chunk: a newline inside would split it
    assert json.loads(line) == CHUNK


def test_text_is_sent_as_utf8_not_escaped() -> None:
    assert "灯台".encode() in sse_event(CHUNK)
