"""Inference validation: re-run the executor's tokens teacher-forced and compare logprobs.

The validator re-tokenizes the original request with its own chat template, takes the executor's
completion token ids as given (the reference's "enforced tokens"), and scores every position in
one forward pass (`prompt_logprobs` on vLLM). The inference passes iff the reference similarity
is above the model's threshold. A bad request body raises (nothing was validated); a bad or
dishonest claim fails with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from node.ml.inference.backend import InferenceBackend
from node.ml.inference.errors import PromptTooLongError
from node.ml.inference.request import ChatRequest
from node.ml.validation.claimed import Claim, ClaimRejected, read_claim
from node.ml.validation.similarity import position_distance, similarity
from node.ml.validation.thresholds import threshold_for


@dataclass(frozen=True, slots=True)
class InferenceVerdict:
    passed: bool
    similarity: float
    threshold: float
    model: str
    tokens: int  # completion tokens compared
    mean_distance: float  # per-position distance before the max(100, N) dilution; 0.5 if rejected
    reason: str  # why it failed, or "" when it passed


def validate_inference(
    backend: InferenceBackend,
    request_body: Mapping[str, Any],
    claimed_response: Any,
    threshold: float | None = None,
) -> InferenceVerdict:
    """Judge an executor's response (a chat.completion dict or its list of stream chunks)."""
    request = ChatRequest.from_openai(request_body)
    limit = threshold_for(request.model) if threshold is None else threshold
    tokens = backend.token_table(request.model)

    def rejected(reason: str, n: int = 0) -> InferenceVerdict:
        return InferenceVerdict(False, 0.0, limit, request.model, n, 0.5, reason)

    try:
        claim = read_claim(claimed_response, tokens)
        _check_claim(claim, request)
    except ClaimRejected as exc:
        return rejected(str(exc))
    if not claim.token_ids:  # nothing produced, nothing claimed: no token can disagree with the model
        return InferenceVerdict(True, 1.0, limit, request.model, 0, 0.0, "")
    top_k = request.top_logprobs or max(len(top) for top in claim.tops)
    if top_k == 0:
        return rejected("the response reports no top logprobs", len(claim.token_ids))
    try:
        scored = backend.score(request.model, request.messages, claim.token_ids, top_k)
    except PromptTooLongError as exc:
        return rejected(f"the completion does not fit the context: {exc}", len(claim.token_ids))
    distances = [position_distance(mine, theirs) for mine, theirs in zip(scored, claim.tops, strict=True)]
    value = similarity(distances)
    passed = value > limit
    reason = "" if passed else f"similarity {value:.6f} is not above {limit}"
    return InferenceVerdict(
        passed, value, limit, request.model, len(distances), sum(distances) / len(distances), reason
    )


def _check_claim(claim: Claim, request: ChatRequest) -> None:
    if claim.model is not None and claim.model != request.model:
        raise ClaimRejected(f"the response is for model {claim.model!r}, the request for {request.model!r}")
    if request.max_tokens is not None and len(claim.token_ids) > request.max_tokens:
        raise ClaimRejected(f"{len(claim.token_ids)} completion tokens exceed max_tokens={request.max_tokens}")
