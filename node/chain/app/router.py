"""Dispatch of tx messages to module handlers, keyed by type_url.

Recipe for a new module (PoC, inference, validation, settlement, training, …):

1. Add `node/proto/gonka/<module>.proto` (package `gonka.<module>`) with its
   `Msg…` messages and state records; regenerate stubs (`make proto`).
2. Create `node/chain/app/<module>/` with
   - `state.py`: key prefixes (`b"<module>/…"`) and get/set functions over a
     KVReader/Overlay, plus `init_genesis` if genesis seeds it;
   - `transition.py`: per message a stateless `validate_…(msg)` and an
     `execute_…(ctx, kv, msg) -> list[Event]`, both raising `TxError`, and
     `ROUTES = (Route(MsgX, "<module>", "<signer field>", validate_x, execute_x), …)`;
   - `queries.py`: `QUERIES = {"<path>": handler}` (see node/chain/app/queries.py);
   - optionally `hooks.py` with a `begin_block(ctx, kv) -> list[Event]`, or an
     end-block hook `(ctx, kv) -> (list[Event], list[ValidatorUpdate])`.
3. List the ROUTES, QUERIES and hooks in node/chain/app/modules.py.

Handlers write only through the Overlay they are given: a failing message
(any TxError) has its writes dropped, so a handler never cleans up.
Handlers must be deterministic: integers only, no clocks, no randomness
except seeds taken from state or the block.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message

from node.chain.app.abci import Event
from node.chain.app.context import BlockContext
from node.chain.store.overlay import Overlay
from node.core.errors import TxCode, TxError
from node.core.tx import register_message


@dataclass(frozen=True)
class Route:
    message_type: type[Message]
    module: str
    signer_field: str  # the message field naming the account that must sign the tx
    validate: Callable[[Any], None]  # stateless checks (ValidateBasic)
    execute: Callable[[BlockContext, Overlay, Any], list[Event]]

    @property
    def type_url(self) -> str:
        full_name: str = self.message_type.DESCRIPTOR.full_name
        return "/" + full_name


class Router:
    def __init__(self, routes: Iterable[Route]) -> None:
        self._routes: dict[str, Route] = {}
        for route in routes:
            if route.type_url in self._routes:
                raise ValueError(f"two routes for {route.type_url}")
            if route.signer_field not in route.message_type.DESCRIPTOR.fields_by_name:
                raise ValueError(f"{route.type_url} has no signer field {route.signer_field!r}")
            register_message(route.message_type)  # lets decode_tx unpack it
            self._routes[route.type_url] = route

    def route(self, message: Message) -> Route:
        route = self._routes.get("/" + message.DESCRIPTOR.full_name)
        if route is None or route.message_type is not type(message):
            raise TxError(TxCode.UNKNOWN_REQUEST, f"no handler for message {message.DESCRIPTOR.full_name}")
        return route
