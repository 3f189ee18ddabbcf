"""Shape rules for host registration data, shared by MsgRegisterParticipant and the genesis document."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_URL_CHARS = 256
MAX_NAME_CHARS = 128
MAX_MODELS = 64
MAX_ML_NODES = 256


def url_problem(url: str) -> str | None:
    """Why `url` cannot be a host's public api url, or None if it can."""
    parts = urlsplit(url)
    if len(url) > MAX_URL_CHARS or parts.scheme not in ("http", "https") or not parts.netloc:
        return f"url must be an http(s) URL of at most {MAX_URL_CHARS} characters"
    return None


def names_problem(field: str, names: list[str], min_count: int, max_count: int) -> str | None:
    """Why `names` (model ids, ML node ids) are unusable, or None."""
    if not min_count <= len(names) <= max_count:
        return f"{field}: between {min_count} and {max_count} entries"
    if any(not 0 < len(name) <= MAX_NAME_CHARS for name in names):
        return f"{field}: entries must be 1 to {MAX_NAME_CHARS} characters"
    if len(set(names)) != len(names):
        return f"{field}: duplicate entries"
    return None
