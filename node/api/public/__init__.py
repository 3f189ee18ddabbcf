"""The api node's public HTTP API: OpenAI-compatible chat completions through the transfer agent
and executor, and the Gonka routes the public client uses. See app.build_public_app."""

from node.api.public.app import build_public_app

__all__ = ["build_public_app"]
