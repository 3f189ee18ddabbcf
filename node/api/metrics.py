"""The api node's Prometheus metrics, in a registry of its own (several api nodes can share a process).

gonka_api_http_requests_total{route, method, status}   public HTTP requests by route template
gonka_api_http_request_seconds{route}                   request start to last byte (streams included)
gonka_api_http_in_flight                                requests being answered now
gonka_api_inferences_total{role, outcome}               role: ta | executor;
                                                        outcome: served | refused (4xx) | failed (5xx)
gonka_api_tokens_total{model, kind}                     kind: prompt | completion (executor side, as sent in Finish)
gonka_api_txs_total{message, result}                    txs this node sent: result ok | refused | error
gonka_api_tx_resends_total{message}                     inference txs sent again (fate unknown: no answer, no block)
gonka_api_limiter_refusals_total                        requests refused by the bandwidth limiter
gonka_api_stage_seconds{role, stage}                    wall time of each stage of an inference request
                                                        (see StageClock); sum/count = mean per request

Other parts of the api node (the orchestrator) may add their collectors to `registry`.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST
_SECONDS_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
_STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5, 30)


class ApiMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "gonka_api_http_requests", "Public HTTP requests", ["route", "method", "status"], registry=r
        )
        self.http_seconds = Histogram(
            "gonka_api_http_request_seconds", "Request start to last byte", ["route"], buckets=_SECONDS_BUCKETS,
            registry=r,
        )
        self.http_in_flight = Gauge("gonka_api_http_in_flight", "Requests being answered", registry=r)
        self.inferences = Counter(
            "gonka_api_inferences", "Inference requests by outcome", ["role", "outcome"], registry=r
        )
        self.tokens = Counter("gonka_api_tokens", "Tokens of executed inferences", ["model", "kind"], registry=r)
        self.txs = Counter("gonka_api_txs", "Transactions sent by this node", ["message", "result"], registry=r)
        self.tx_resends = Counter(
            "gonka_api_tx_resends", "Inference txs sent again after an unknown fate", ["message"], registry=r
        )
        self.limiter_refusals = Counter(
            "gonka_api_limiter_refusals", "Requests refused by the bandwidth limiter", registry=r
        )
        self.stage_seconds = Histogram(
            "gonka_api_stage_seconds", "Wall time of a stage of an inference request", ["role", "stage"],
            buckets=_STAGE_BUCKETS, registry=r,
        )

    def inference(self, role: str, status: int) -> None:
        outcome = "served" if status < 400 else "refused" if status < 500 else "failed"
        self.inferences.labels(role, outcome).inc()

    def clock(self, role: str) -> StageClock:
        return StageClock(self, role)

    def render(self) -> bytes:
        """The Prometheus text exposition of every collector in the registry."""
        return generate_latest(self.registry)


class StageClock:
    """Times consecutive stages of one request: each `lap(stage)` records the time since the
    previous lap (or the clock's start). Stages that a request skips are simply not recorded."""

    def __init__(self, metrics: ApiMetrics, role: str) -> None:
        self._metrics = metrics
        self._role = role
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self._metrics.stage_seconds.labels(self._role, stage).observe(now - self._last)
        self._last = now
