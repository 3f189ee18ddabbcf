"""A `HOST:PORT` listen address from a node's config file (every node kind reads these)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from node.core.config_error import ConfigError


@dataclass(frozen=True)
class Listen:
    host: str
    port: int

    @classmethod
    def parse(cls, where: str, value: Any) -> Listen:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string HOST:PORT, got {value!r}")
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ConfigError(f"{where} must look like HOST:PORT (port 0-65535), got {value!r}")
        return cls(host, int(port))

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"
