"""Jupyter server extension behind the "Gonka network" sidebar: enabled by
jupyter-config/server-config/gonka_lab.json (installed into etc/jupyter/jupyter_server_config.d)."""

from __future__ import annotations

from typing import Any

from gonka_lab.labserver.handlers import routes
from gonka_lab.labserver.state import LabState


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "gonka_lab.labserver"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    web_app = server_app.web_app
    web_app.settings["gonka_lab_state"] = LabState()
    web_app.add_handlers(".*$", routes(web_app.settings["base_url"]))
    server_app.log.info("gonka_lab.labserver: REST handlers under %sgonka/", web_app.settings["base_url"])
