"""The REST handlers on a real (in-process) Jupyter server: JSON answers, one-line errors with
the right status, and Jupyter authentication on every route and verb."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

from gonka_lab.labserver.handlers import routes
from node.devnet.network import Devnet
from node.devnet.participant import ADVERSARY_MODES

# Every route of the extension with the verbs it serves, and a concrete path for each.
ENDPOINTS = [
    ("GET", "state"),
    ("POST", "connect"),
    ("POST", "disconnect"),
    ("GET", "nodes/p1/logs"),
    ("POST", "nodes/p1/stop"),
    ("POST", "nodes/p1/start"),
    ("POST", "participants/p1/adversary"),
]


async def call(
    jp_fetch: Any, method: str, path: str, body: Any = None, raw: str | None = None, **kwargs: Any
) -> tuple[int, dict[str, Any]]:
    """(status, JSON answer) of one request; `raw` sends a body as is instead of `body` as JSON."""
    if method != "GET":
        kwargs["body"] = raw if raw is not None else json.dumps(body or {})
    try:
        response = await jp_fetch("gonka", *path.split("/"), method=method, **kwargs)
    except HTTPClientError as err:
        assert err.response is not None
        return err.code, json.loads(err.response.body) if err.response.body else {}
    return response.code, json.loads(response.body)


def test_the_auth_test_covers_every_route_and_verb() -> None:
    verbs = ("GET", "POST", "PUT", "PATCH", "DELETE")
    for pattern, handler in routes("/"):
        ours = [cls for cls in handler.__mro__ if cls.__module__ == routes.__module__]
        served = [verb for verb in verbs if any(verb.lower() in vars(cls) for cls in ours)]
        assert served, handler
        for verb in served:
            assert any(m == verb and re.fullmatch(pattern, f"/gonka/{p}") for m, p in ENDPOINTS), (verb, pattern)


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
async def test_every_handler_requires_jupyter_authentication(
    jp_fetch: Any, devnet_env: Path, method: str, path: str
) -> None:
    code, _ = await call(jp_fetch, method, path, headers={"Authorization": "token not-the-token"})
    assert code == 403
    code, _ = await call(jp_fetch, method, path, headers={"Authorization": ""})
    assert code == 403


async def test_state_connect_and_disconnect(jp_fetch: Any, stopped_devnet: Devnet) -> None:
    code, snap = await call(jp_fetch, "GET", "state")
    assert code == 200 and snap == {"connected": False, "discovered": str(stopped_devnet.dir),
                                    "search_dir": str(stopped_devnet.dir)}
    code, snap = await call(jp_fetch, "POST", "connect", {"url": ""})
    assert code == 200 and snap["connection"]["kind"] == "devnet"
    assert [r["status"] for r in snap["participants"]] == ["down"] * 3 and snap["error"].startswith("network down")
    code, snap = await call(jp_fetch, "POST", "disconnect")
    assert code == 200 and snap["connected"] is False


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"url": "no port here"}, 400, "HOST:PORT"),
        ({"url": 7}, 400, "url must be a string"),
        ([1, 2], 400, "JSON object"),
        ("{", 400, "not JSON"),
        ({"url": ""}, 404, "no devnet found"),
    ],
)
async def test_connect_refuses_bad_input_with_one_line(
    jp_fetch: Any, devnet_env: Path, body: Any, status: int, message: str
) -> None:
    code, answer = await call(jp_fetch, "POST", "connect", raw=body if isinstance(body, str) else json.dumps(body))
    assert code == status
    assert message in answer["error"] and "\n" not in answer["error"]


async def test_node_actions_and_logs(jp_fetch: Any, stopped_devnet: Devnet) -> None:
    code, answer = await call(jp_fetch, "POST", "nodes/p1/stop")
    assert code == 409 and "local devnet" in answer["error"]
    await call(jp_fetch, "POST", "connect", {"url": str(stopped_devnet.dir)})
    code, answer = await call(jp_fetch, "POST", "nodes/p1/stop", {"kill": True})
    assert code == 200 and answer == {"node": "p1-chain", "was_running": False}
    code, answer = await call(jp_fetch, "POST", "nodes/p1/stop", {"kill": "yes"})
    assert code == 400 and "kill" in answer["error"]
    code, answer = await call(jp_fetch, "GET", "nodes/nobody/logs")
    assert code == 404 and "no node named 'nobody'" in answer["error"]
    code, answer = await call(jp_fetch, "GET", "nodes/p2/logs", params={"lines": "abc"})
    assert code == 400 and "lines" in answer["error"]
    (stopped_devnet.dir / "p2" / "chain.log").write_text("booting\ncommitted height 1\n")
    code, answer = await call(jp_fetch, "GET", "nodes/p2-chain/logs", params={"lines": "1"})
    assert code == 200 and answer["lines"] == ["committed height 1"]


async def test_adversary_switch(jp_fetch: Any, stopped_devnet: Devnet, tmp_path: Path) -> None:
    code, answer = await call(jp_fetch, "POST", "participants/p1/adversary", {"mode": "fake-pow"})
    assert code == 409 and "local devnet" in answer["error"]
    code, snap = await call(jp_fetch, "POST", "connect", {"url": str(stopped_devnet.dir)})
    assert snap["adversary_switch"]["available"] is False and "full network" in snap["adversary_switch"]["reason"]
    for body, status, message in (
        ({"mode": "fake-pow"}, 409, "full network"),
        ({"mode": "teleport"}, 400, "unknown adversary mode 'teleport'"),
        ({}, 400, "mode must be a string"),
    ):
        code, answer = await call(jp_fetch, "POST", "participants/p1/adversary", body)
        assert (code, message in answer["error"]) == (status, True), answer
    code, answer = await call(jp_fetch, "POST", "participants/nobody/adversary", {"mode": "off"})
    assert code == 404 and "no participant 'nobody'" in answer["error"]

    # A full network (never started): the switch is offered with every mode, and a switch to
    # the mode a participant already runs records it without restarting anything.
    full = Devnet.create(tmp_path / "full", participants=2, only="all", adversaries={"p2": "lazy-validator"})
    code, snap = await call(jp_fetch, "POST", "connect", {"url": str(full.dir)})
    assert snap["adversary_switch"] == {"available": True, "modes": list(ADVERSARY_MODES), "reason": None}
    assert {r["name"]: r["adversary"] for r in snap["participants"]} == {"p1": "", "p2": "lazy-validator"}
    code, answer = await call(jp_fetch, "POST", "participants/p1/adversary", {"mode": "off"})
    assert code == 200 and answer == {"participant": "p1", "mode": "", "restarted": []}
