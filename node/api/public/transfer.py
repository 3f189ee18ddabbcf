"""The transfer agent (TA): the api node that receives a developer's request (reference §4).

In order, each step answering as the reference does:
  1. the developer's signature against the requester's key on chain, addressed to this TA (401)
  2. the timestamp window and replay memory (400)
  3. the model is in the chain's registry (404, before any payment question)
  4. the requester can pay (prompt characters + max_tokens) x price on top of what this
     node already reserved for it (402)
  5. the bandwidth limiter (429 with Retry-After)
  6. an executor, weight-proportional from the effective epoch group, with a random int31 seed;
     the TA signs (developer bytes ‖ executor address) and forwards the ORIGINAL body with the
     X-Inference-Id / X-Seed / X-TA-Signature headers, or runs it itself when it is the executor
  7. MsgStartInference, in the background, once the executor took the request.
Departure: the reference sends Start before forwarding; here it waits for the executor to
accept, so an executor that cannot be reached or is busy with PoW (503) is skipped for the next
candidate (up to `executor_attempts`) without leaving a Start behind to expire.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

import httpx
from fastapi import HTTPException
from starlette.responses import Response

from node.api.auth import (
    AUTHORIZATION,
    INFERENCE_ID,
    REQUESTER,
    SEED,
    TA_SIGNATURE,
    TIMESTAMP,
    TRANSFER_ADDRESS,
    SignedRequest,
    read_signed_request,
)
from node.api.executor import Job, prompt_text, requested_max_tokens, rewrite_body
from node.api.inference_txs import Request, start_message
from node.api.limiter import Admission
from node.api.metrics import StageClock
from node.api.public.body import ChatBody
from node.api.public.escrow import Reservation
from node.api.public.node import PublicNode
from node.api.public.errors import error_body
from node.api.public.streaming import ClosingStream, answer, sse_event
from node.api.routing import Candidate, pick
from node.core.inference_signing import sign_transfer

SEED_LIMIT = 1 << 31  # the reference draws a random int31


def _error_message(content: bytes) -> str:
    try:
        return str(json.loads(content)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return content.decode(errors="replace")[:500]


@dataclass
class _Admitted:
    """What an admitted request holds until it is answered."""

    signed: SignedRequest
    prompt: str
    max_tokens: int
    default_max_tokens: int
    reservation: Reservation
    admission: Admission
    started: bool = False  # Start is queued: the inference id is spent for good


class TransferAgent:
    def __init__(self, node: PublicNode, clock: StageClock) -> None:
        self.node = node
        self.clock = clock

    async def handle(self, body: ChatBody, headers: Mapping[str, str]) -> Response:
        admitted = await self._admit(body, headers)
        try:
            return await self._dispatch(body, admitted)
        except BaseException:
            self._abandon(admitted)
            raise

    async def _admit(self, body: ChatBody, headers: Mapping[str, str]) -> _Admitted:
        """Steps 1-5; each refusal leaves nothing behind."""
        node, me = self.node, self.node.ctx.address
        signed = read_signed_request(headers, body.text, default_transfer=me)
        if signed.transfer_address != me:
            addressed = signed.transfer_address
            raise HTTPException(401, f"the request is addressed to transfer agent {addressed}, this is {me}")
        await node.auth.check_developer(signed)
        head = await node.chain.head()
        node.auth.check_fresh(signed, head.time_ns)
        self.clock.lap("auth")
        if body.model not in await node.chain.models():
            raise HTTPException(404, f"model {body.model!r} is not in the chain's model registry")
        default_max_tokens = await node.default_max_tokens()
        max_tokens = requested_max_tokens(body.data, default_max_tokens)
        prompt = prompt_text(body.data)
        price = await node.chain.price(body.model)
        budget = await node.budget()
        cost = (len(prompt) + max_tokens) * price
        reservation = await node.escrow.reserve(signed.requester, cost, head.height, node.chain.balance)
        try:
            admission = node.limiter.admit(head.height, len(prompt), max_tokens, budget)
        except HTTPException as refusal:
            reservation.release()
            if refusal.status_code == 429:
                node.metrics.limiter_refusals.inc()
            raise
        try:
            node.auth.claim(signed)
        except HTTPException:
            reservation.release()
            node.limiter.release(admission)
            raise
        self.clock.lap("admission")
        return _Admitted(signed, prompt, max_tokens, default_max_tokens, reservation, admission)

    def _abandon(self, admitted: _Admitted) -> None:
        if not admitted.started:  # nothing was recorded on its behalf: the same request may come again
            self.node.auth.release(admitted.signed)
            admitted.reservation.release()  # else the Start's outcome settles it
        self.node.limiter.release(admitted.admission)

    async def _dispatch(self, body: ChatBody, admitted: _Admitted) -> Response:
        node, me, rng = self.node, self.node.ctx.address, self.node.settings.rng
        signed = admitted.signed
        tried: set[str] = set()
        refusal = HTTPException(503, f"no host can serve {body.model!r} now", headers={"Retry-After": "5"})
        for _ in range(node.settings.executor_attempts):
            candidates = [c for c in await node.chain.executors(body.model) if c.address not in tried]
            if not candidates:
                break
            executor = pick(candidates, rng)
            tried.add(executor.address)
            seed = rng.randrange(SEED_LIMIT)
            payload = rewrite_body(body.data, seed, admitted.default_max_tokens)
            signature = sign_transfer(node.ctx.key, body.text, signed.timestamp_ns, me, executor.address)
            request = Request(
                signed.inference_id, signed.requester, me, signed.timestamp_ns, body.text, signature, body.model
            )
            start = start_message(request, executor.address, payload, admitted.max_tokens, len(admitted.prompt))
            self.clock.lap("route")

            def send_start() -> None:
                admitted.started = True
                node.txs.submit(start, done=lambda result: admitted.reservation.start_landed(
                    result, node.chain.known_height))

            try:
                if executor.address == me:
                    job = Job(request, payload, admitted.prompt, accepted=send_start, clock=self.clock)
                    execution = await node.executor.run(job)
                    return answer(execution, lambda: node.limiter.release(admitted.admission))
                upstream = await self._forward(executor, request, seed)
                self.clock.lap("forward")
            except HTTPException as error:
                if error.status_code != 503 or admitted.started:
                    raise
                refusal = error
                continue
            send_start()
            return await self._relay(upstream, body.stream, lambda: node.limiter.release(admitted.admission))
        raise refusal

    async def _forward(self, executor: Candidate, request: Request, seed: int) -> httpx.Response:
        """POST the original body to the executor; its 200 answer comes back unread."""
        headers = {
            "content-type": "application/json",
            AUTHORIZATION: request.inference_id,
            REQUESTER: request.requester,
            TIMESTAMP: str(request.timestamp_ns),
            TRANSFER_ADDRESS: request.transfer_address,
            INFERENCE_ID: request.inference_id,
            SEED: str(seed),
            TA_SIGNATURE: request.transfer_signature,
        }
        client = self.node.http
        url = executor.url.rstrip("/") + "/v1/chat/completions"
        outgoing = client.build_request("POST", url, content=request.original_prompt.encode(), headers=headers)
        try:
            upstream = await client.send(outgoing, stream=True)
        except (httpx.ConnectError, httpx.ConnectTimeout) as error:
            where = f"executor {executor.address} at {executor.url}"
            raise HTTPException(503, f"{where} cannot be reached: {error}") from None
        except httpx.HTTPError as error:  # it may have run the request: do not try another executor
            raise HTTPException(504, f"executor {executor.address} did not answer: {error!r}") from None
        if upstream.status_code == 200:
            return upstream
        content = await upstream.aread()
        await upstream.aclose()
        status = upstream.status_code
        if status in (401, 403):  # the developer's request was fine; the hop from this TA was not
            status = 502
        retry = {"Retry-After": upstream.headers["retry-after"]} if "retry-after" in upstream.headers else None
        raise HTTPException(status, f"executor {executor.address}: {_error_message(content)}", headers=retry)

    async def _relay(self, upstream: httpx.Response, stream: bool, release: Callable[[], None]) -> Response:
        """The executor's answer, passed through as it comes; `release` once it is through."""
        if stream:

            async def close() -> None:
                try:
                    await upstream.aclose()
                finally:
                    release()

            return ClosingStream(_passthrough(upstream), close)
        try:
            content = await upstream.aread()
        except httpx.HTTPError as error:
            raise HTTPException(502, f"the executor's answer broke off: {error!r}") from None
        finally:
            await upstream.aclose()
            release()
        self.clock.lap("relay")
        return Response(content, media_type="application/json")


async def _passthrough(upstream: httpx.Response) -> AsyncIterator[bytes]:
    """The executor's SSE bytes; if its connection breaks, an in-band error event ends the stream."""
    try:
        async for piece in upstream.aiter_raw():
            yield piece
    except httpx.HTTPError as error:
        yield sse_event(error_body(502, f"the executor's stream broke off: {error!r}"))
