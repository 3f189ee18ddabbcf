"""How the ML node's failures reach a gRPC caller: one status code and an OpenAI-style JSON body.

    InvalidArgument, InvalidRequestError, PromptTooLongError, InvalidProofBatch -> INVALID_ARGUMENT (400)
    NotFound, UnknownModelError                                                -> NOT_FOUND (404)
    Conflict (service state), ModelLoadError                                   -> FAILED_PRECONDITION (409, 422)
    AlreadyRunning (a task's worker is alive)                                  -> ALREADY_EXISTS (409)
    Busy (inference queue full)                                                -> RESOURCE_EXHAUSTED (429)
    BackendUnavailableError                                                    -> UNAVAILABLE (503)
    anything else                                                              -> INTERNAL (500)

The details string is always `{"error": {"message", "type", "param", "code"}}`, so a client
parses one shape whatever failed.
"""

from __future__ import annotations

import json

import grpc

from node.ml.inference.errors import (
    BackendUnavailableError,
    InferenceError,
    InvalidRequestError,
    ModelLoadError,
    UnknownModelError,
)
from node.ml.pow.validate import InvalidProofBatch
from node.ml.service.state import Conflict


class ServiceError(Exception):
    """A refusal of the service layer itself (not of the inference backend)."""

    code = grpc.StatusCode.INTERNAL
    http_status = 500
    openai_type = "internal_error"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


class InvalidArgument(ServiceError):
    code = grpc.StatusCode.INVALID_ARGUMENT
    http_status = 400
    openai_type = "invalid_request_error"


class NotFound(ServiceError):
    code = grpc.StatusCode.NOT_FOUND
    http_status = 404
    openai_type = "not_found_error"


class Busy(ServiceError):
    code = grpc.StatusCode.RESOURCE_EXHAUSTED
    http_status = 429
    openai_type = "rate_limit_error"


class AlreadyRunning(ServiceError):
    """A second StartTraining for a task whose worker is alive (the caller may keep following it)."""

    code = grpc.StatusCode.ALREADY_EXISTS
    http_status = 409
    openai_type = "conflict"


class WrongPhase(ServiceError):
    """The service is right but its PoW phase is not (e.g. ValidateBatch while generating)."""

    code = grpc.StatusCode.FAILED_PRECONDITION
    http_status = 409
    openai_type = "conflict"


_INFERENCE_CODES: list[tuple[type[InferenceError], grpc.StatusCode]] = [
    (InvalidRequestError, grpc.StatusCode.INVALID_ARGUMENT),  # PromptTooLongError included
    (UnknownModelError, grpc.StatusCode.NOT_FOUND),
    (ModelLoadError, grpc.StatusCode.FAILED_PRECONDITION),
    (BackendUnavailableError, grpc.StatusCode.UNAVAILABLE),
]


def _body(message: str, openai_type: str, http_status: int, param: str | None = None) -> str:
    return json.dumps({"error": {"message": message, "type": openai_type, "param": param, "code": http_status}})


def to_status(error: BaseException) -> tuple[grpc.StatusCode, str]:
    """The gRPC code and JSON details that report `error`."""
    if isinstance(error, ServiceError):
        return error.code, _body(error.message, error.openai_type, error.http_status, error.param)
    if isinstance(error, InferenceError):
        code = next((c for cls, c in _INFERENCE_CODES if isinstance(error, cls)), grpc.StatusCode.INTERNAL)
        return code, json.dumps(error.to_openai())
    if isinstance(error, Conflict):
        return grpc.StatusCode.FAILED_PRECONDITION, _body(str(error), "conflict", 409)
    if isinstance(error, InvalidProofBatch):
        return grpc.StatusCode.INVALID_ARGUMENT, _body(str(error), "invalid_request_error", 400, "batch")
    return grpc.StatusCode.INTERNAL, _body(f"internal error: {type(error).__name__}: {error}", "internal_error", 500)
