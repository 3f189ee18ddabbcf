"""REST handlers behind the JupyterLab sidebar, under BASE_URL/gonka/. Every verb requires Jupyter
authentication; node I/O runs in a worker thread so a slow node never blocks the server.

    GET  /gonka/state                       snapshot of the connected network
    POST /gonka/connect      {"url": str}   connect ("" = find the local devnet)
    POST /gonka/disconnect
    GET  /gonka/nodes/NAME/logs?lines=N     last lines of a devnet node's log
    POST /gonka/nodes/NAME/stop {"kill": bool}
    POST /gonka/nodes/NAME/start
    POST /gonka/participants/NAME/adversary {"mode": MODE|"off"}   restarts its ml and api nodes

Errors answer {"error": "one line"} with a 4xx/5xx status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import tornado.web
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from gonka_lab.labserver.state import LabError, LabState

NAMESPACE = "gonka"
_NODE = r"(?P<name>[A-Za-z0-9_.-]+)"


class _Handler(APIHandler):
    """Shared plumbing: the LabState, JSON bodies, and errors as one JSON line."""

    @property
    def lab(self) -> LabState:
        state: LabState = self.settings["gonka_lab_state"]
        return state

    def body(self) -> dict[str, Any]:
        if not self.request.body:
            return {}
        try:
            data = json.loads(self.request.body)
        except json.JSONDecodeError as err:
            raise LabError(f"request body is not JSON: {err}") from None
        if not isinstance(data, dict):
            raise LabError("request body must be a JSON object")
        return data

    async def answer(self, call: Callable[[], Any]) -> None:
        """Run `call` in a worker thread and answer its result, or its LabError, as JSON."""
        try:
            result = await asyncio.to_thread(call)
        except LabError as err:
            self.set_status(err.status)
            result = {"error": str(err)}
        self.finish(json.dumps(result))


class StateHandler(_Handler):
    @tornado.web.authenticated
    async def get(self) -> None:
        await self.answer(self.lab.snapshot)


class ConnectHandler(_Handler):
    @tornado.web.authenticated
    async def post(self) -> None:
        await self.answer(self._connect)

    def _connect(self) -> dict[str, Any]:
        url = self.body().get("url", "")
        if not isinstance(url, str):
            raise LabError("url must be a string")
        self.lab.connect(url)
        return self.lab.snapshot()


class DisconnectHandler(_Handler):
    @tornado.web.authenticated
    async def post(self) -> None:
        await self.answer(self._disconnect)

    def _disconnect(self) -> dict[str, Any]:
        self.lab.disconnect()
        return self.lab.snapshot()


class LogsHandler(_Handler):
    @tornado.web.authenticated
    async def get(self, name: str) -> None:
        await self.answer(lambda: self._logs(name))

    def _logs(self, name: str) -> dict[str, Any]:
        raw = self.get_query_argument("lines", "200")
        if not raw.isdigit():
            raise LabError(f"lines must be a positive integer, got {raw!r}")
        return self.lab.logs(name, int(raw))


class NodeActionHandler(_Handler):
    @tornado.web.authenticated
    async def post(self, name: str, action: str) -> None:
        await self.answer(lambda: self._act(name, action))

    def _act(self, name: str, action: str) -> dict[str, Any]:
        if action == "start":
            return self.lab.start_node(name)
        kill = self.body().get("kill", False)
        if not isinstance(kill, bool):
            raise LabError("kill must be true or false")
        return self.lab.stop_node(name, kill)


class AdversaryHandler(_Handler):
    @tornado.web.authenticated
    async def post(self, name: str) -> None:
        await self.answer(lambda: self._switch(name))

    def _switch(self, name: str) -> dict[str, Any]:
        mode = self.body().get("mode")
        if not isinstance(mode, str):
            raise LabError('mode must be a string: an adversary mode or "off"')
        return self.lab.set_adversary(name, mode)


def routes(base_url: str) -> list[tuple[str, type[APIHandler]]]:
    def at(path: str) -> str:
        return url_path_join(base_url, NAMESPACE, path)

    return [
        (at("state"), StateHandler),
        (at("connect"), ConnectHandler),
        (at("disconnect"), DisconnectHandler),
        (at(rf"nodes/{_NODE}/logs"), LogsHandler),
        (at(rf"nodes/{_NODE}/(?P<action>stop|start)"), NodeActionHandler),
        (at(rf"participants/{_NODE}/adversary"), AdversaryHandler),
    ]
