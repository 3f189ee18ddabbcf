"""Coverage-guided fuzz targets (atheris, libFuzzer's engine) for the decoders that read what
strangers send, run as `python -m tests.faults.atheris_targets TARGET [libFuzzer flags] [CORPUS]`.

Each target feeds one input to one decoder and lets only that decoder's own refusal through
(a TxError, an InvalidRequestError, an HTTPException with a 4xx status). Anything else — a
KeyError, a RecursionError, an OverflowError, a 500 — escapes, libFuzzer reports the input and
exits non-zero: that is a bug. `test_fuzz_atheris.py` runs every target for a fixed number of
inputs from a fixed seed, starting from a small corpus of valid inputs (`seeds`).
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[2]
# atheris instruments exactly the modules it is given: every module of the node package (the
# code under test), none of torch, protobuf or fastapi (that would take minutes and add noise).
NODE_MODULES = sorted(".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                      for path in (ROOT / "node").rglob("*.py") if "proto" not in path.parts)

with atheris.instrument_imports(include=NODE_MODULES):
    from fastapi import HTTPException

    from node.api.auth import AUTHORIZATION, REQUESTER, TIMESTAMP, TRANSFER_ADDRESS, read_signed_request
    from node.chain.app.auth import check_messages
    from node.chain.app.modules import ROUTES
    from node.chain.app.router import Router
    from node.core.errors import TxError
    from node.core.keys import AccountKey
    from node.core.tx import build_tx, decode_tx
    from node.ml.inference.errors import InvalidRequestError
    from node.ml.inference.request import ChatRequest
    from node.proto.gonka.bank_pb2 import MsgSend

_REQUESTER = AccountKey.generate().address
_ROUTER = Router(ROUTES)  # every message type the chain accepts, with its stateless checks
_HEADERS = (AUTHORIZATION, REQUESTER, TIMESTAMP, TRANSFER_ADDRESS)


def fuzz_tx(data: bytes) -> None:
    """The chain node's tx decoding and stateless checks: every BroadcastTx and every gossiped tx
    passes here before anything reads the state."""
    try:
        check_messages(decode_tx(data), _ROUTER)
    except TxError:
        pass


def fuzz_chat_body(data: bytes) -> None:
    """The ML node's reading of an OpenAI chat body (after JSON decoding, as its server does)."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return  # not JSON: refused before the validator sees it
    try:
        ChatRequest.from_openai(body)
    except InvalidRequestError:
        pass


def fuzz_signature_headers(data: bytes) -> None:
    """The api node's reading of a developer's signature headers (401/400, never anything else).

    The input is the four header values, one per line, as an HTTP server hands them over (latin-1);
    an empty line leaves that header out.
    """
    values = data.decode("latin-1").split("\n")
    headers = {name: value for name, value in zip(_HEADERS, values, strict=False) if value}
    try:
        read_signed_request(headers, "prompt", _REQUESTER)
    except HTTPException as error:
        if not 400 <= error.status_code < 500:
            raise


TARGETS: dict[str, Callable[[bytes], None]] = {
    "tx": fuzz_tx,
    "chat_body": fuzz_chat_body,
    "signature_headers": fuzz_signature_headers,
}


def seeds(target: str) -> list[bytes]:
    """Valid inputs the fuzzer starts from, so that it reaches past the first refusal quickly."""
    if target == "tx":  # one signed tx per message type the chain routes, signer field filled in
        key = AccountKey.generate()
        messages = [MsgSend(from_address=key.address, to_address=_REQUESTER, amount=5)]
        messages += [route.message_type(**{route.signer_field: key.address}) for route in ROUTES]
        return [build_tx(key, "gonka-fuzz", 3, 1, [message], memo="seed") for message in messages]
    if target == "chat_body":
        body = {"model": "m", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 8, "seed": 7,
                "logprobs": True, "top_logprobs": 2, "stream": True, "stream_options": {"include_usage": True},
                "stop": ["\n"], "temperature": 0.5, "top_p": 0.9}
        return [json.dumps(body).encode()]
    signature = base64.b64encode(bytes(64)).decode()
    return ["\n".join([signature, _REQUESTER, "1700000000000000000", _REQUESTER]).encode()]


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.faults.atheris_targets {{{','.join(TARGETS)}}} [libFuzzer args]")
    target = sys.argv[1]
    args = [sys.argv[0], *sys.argv[2:]]
    corpus = [Path(arg) for arg in args[1:] if not arg.startswith("-")]
    for folder in corpus:
        for index, seed in enumerate(seeds(target)):
            (folder / f"seed-{index}").write_bytes(seed)
    atheris.Setup(args, TARGETS[target])
    atheris.Fuzz()


if __name__ == "__main__":
    main()
