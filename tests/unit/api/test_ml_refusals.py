"""Which ML-node refusals the executor treats as "not now" (next node, then a retryable 503) and
which it passes on to the client."""

from __future__ import annotations

import grpc
import pytest

from node.api.executor import _is_busy, _ml_refusal
from node.ml.client import MlNodeError, MlNodeUnavailable


@pytest.mark.parametrize("code", [
    grpc.StatusCode.FAILED_PRECONDITION,  # switched to PoW meanwhile
    grpc.StatusCode.NOT_FOUND,  # the model was unloaded as a sprint started: the view was stale
    grpc.StatusCode.RESOURCE_EXHAUSTED,
    grpc.StatusCode.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED,
])
def test_mode_switches_and_overload_are_retryable(code: grpc.StatusCode) -> None:
    assert _is_busy(MlNodeError("refused", code))


def test_an_unreachable_node_is_retryable() -> None:
    assert _is_busy(MlNodeUnavailable("no answer", None))


def test_a_bad_request_goes_back_to_the_client_with_its_status() -> None:
    error = MlNodeError("bad", grpc.StatusCode.INVALID_ARGUMENT, {"message": "temperature must be >= 0", "code": 400})
    assert not _is_busy(error)
    refusal = _ml_refusal(error)
    assert refusal.status_code == 400 and "temperature" in refusal.detail
