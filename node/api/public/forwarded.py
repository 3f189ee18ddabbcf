"""The executor's side of a forwarded request: a TA chose this node and signed the hop.

Checks, as the reference's executor does: the TA is a registered host (so nobody can make this
node work for a request no TA will record), the developer's and the TA's signatures (401), the
timestamp window and this node's own replay memory (400), the model (404). Then the executor
runs it (node/api/executor.py) with the TA's seed.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import HTTPException
from starlette.responses import Response

from node.api.auth import read_signed_request, read_transfer_claim
from node.api.executor import Job, prompt_text, rewrite_body
from node.api.inference_txs import Request
from node.api.metrics import StageClock
from node.api.public.body import ChatBody
from node.api.public.node import PublicNode
from node.api.public.streaming import answer


async def serve_forwarded(node: PublicNode, body: ChatBody, headers: Mapping[str, str], clock: StageClock) -> Response:
    signed = read_signed_request(headers, body.text, default_transfer="")  # the TA must name itself
    claim = read_transfer_claim(headers, signed)
    if not await node.chain.is_host(signed.transfer_address):
        raise HTTPException(401, f"transfer agent {signed.transfer_address} is not a registered host")
    await node.auth.check_developer(signed)
    await node.auth.check_transfer_agent(signed, claim, node.ctx.address)
    node.auth.check_fresh(signed, (await node.chain.head()).time_ns)
    clock.lap("auth")
    if body.model not in await node.chain.models():
        raise HTTPException(404, f"model {body.model!r} is not in the chain's model registry")
    payload = rewrite_body(body.data, claim.seed, await node.default_max_tokens())
    request = Request(
        signed.inference_id, signed.requester, signed.transfer_address, signed.timestamp_ns, body.text,
        claim.signature, body.model,
    )
    node.auth.claim(signed)
    try:
        execution = await node.executor.run(Job(request, payload, prompt_text(body.data), clock=clock))
    except BaseException:
        node.auth.release(signed)  # refused before any output: the TA may offer it again
        raise
    return answer(execution)
