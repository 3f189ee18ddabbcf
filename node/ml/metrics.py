"""The ML node's Prometheus metrics, in a registry of its own (several nodes can share a process).

gonka_ml_requests_total{rpc, code}            gRPC requests by method and status code
gonka_ml_tokens_generated_total{model}        completion tokens produced by Chat / ChatStream
gonka_ml_pow_nonces_tried_total               nonces computed by sprints
gonka_ml_pow_valid_nonces_total               nonces found below r_target (as claimed)
gonka_ml_poc_validations_total{result}        ValidateBatch verdicts: honest | fraud
gonka_ml_inference_validations_total{result}  ValidateInference verdicts: passed | failed
gonka_ml_state{gonka_ml_state}                1 for the current service state, 0 for the others
"""

from __future__ import annotations

from http.server import HTTPServer

from prometheus_client import CollectorRegistry, Counter, Enum, start_http_server

from node.ml.pow.engine import SprintBatch
from node.ml.service.state import ServiceState


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "gonka_ml_requests", "gRPC requests by method and status code", ["rpc", "code"], registry=r
        )
        self.tokens = Counter("gonka_ml_tokens_generated", "Completion tokens generated", ["model"], registry=r)
        self.nonces_tried = Counter("gonka_ml_pow_nonces_tried", "PoW nonces computed", registry=r)
        self.valid_nonces = Counter("gonka_ml_pow_valid_nonces", "PoW nonces claimed valid", registry=r)
        self.poc_validations = Counter("gonka_ml_poc_validations", "PoW batch verdicts", ["result"], registry=r)
        self.inference_validations = Counter(
            "gonka_ml_inference_validations", "Inference validation verdicts", ["result"], registry=r
        )
        self.state = Enum("gonka_ml_state", "Service state", states=[s.value for s in ServiceState], registry=r)

    def sprint_batch(self, batch: SprintBatch) -> None:
        self.nonces_tried.inc(batch.tried)
        self.valid_nonces.inc(len(batch.nonces))

    def serve(self, host: str, port: int) -> HTTPServer:
        """Serve /metrics on host:port from a daemon thread; port 0 picks a free one."""
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        return server
