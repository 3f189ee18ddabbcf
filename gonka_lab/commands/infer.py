"""`gonka infer "PROMPT"`: one signed chat completion through an api node, plain or streamed.

The JSON result carries the inference `id` (the request's signature), which
`gonka query inference ID` looks up on chain.
"""

from __future__ import annotations

from typing import Any

import click

from gonka_lab.client import GonkaClient
from gonka_lab.commands._common import Env, user_command
from gonka_lab.commands.account import api_errors, api_option, default_api_url
from gonka_lab.home import Keyring


@click.command(name="infer")
@click.argument("prompt")
@api_option
@click.option("--account", "account", required=True, help="Keyring key that signs and pays.")
@click.option("--model", default=None, help="Model id (default: the first the api node lists).")
@click.option("--max-tokens", type=click.IntRange(min=1), default=64, show_default=True)
@click.option("--stream", is_flag=True, help="Print the answer as it is generated.")
@user_command
def group(env: Env, prompt: str, api_url: str | None, account: str, model: str | None, max_tokens: int,
          stream: bool) -> None:
    """Send PROMPT as a chat completion request signed by ACCOUNT."""
    url = default_api_url(env, api_url)
    key = Keyring(env.home).key(account)
    with api_errors(env), GonkaClient(url, key) as api:
        body = {"model": model or api.models()[0], "messages": [{"role": "user", "content": prompt}],
                "max_tokens": max_tokens}
        result = _streamed(env, api, body) if stream else _plain(api, body)
    env.emit(result, lambda c: c.print(result["content"]) if not stream else c.print())


def _plain(api: GonkaClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = api.chat(body)
    choice = answer["choices"][0]
    return {"id": answer["id"], "model": answer.get("model"), "content": choice["message"]["content"],
            "finish_reason": choice.get("finish_reason"), "usage": answer.get("usage")}


def _streamed(env: Env, api: GonkaClient, body: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {"id": None, "model": None, "content": "", "finish_reason": None, "usage": None}
    for chunk in api.chat_stream(body):
        result["id"] = result["id"] or chunk.get("id")
        result["model"] = result["model"] or chunk.get("model")
        result["usage"] = chunk.get("usage") or result["usage"]
        for choice in chunk.get("choices", []):
            text = (choice.get("delta") or {}).get("content") or ""
            result["content"] += text
            result["finish_reason"] = choice.get("finish_reason") or result["finish_reason"]
            if text and not env.as_json:
                click.echo(text, nl=False)
    return result
