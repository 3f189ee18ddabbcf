"""A bounded concurrent load of signed inferences whose acceptances are recorded.

`workers` threads each send one request at a time through a transfer agent (api node) picked
at random from `tas`, with the unmodified `openai` client and GonkaSigningTransport; every
other request is streamed. A request is *accepted* when an api node answered 200 (for a stream:
sent its headers) — whatever happens to the stream after that; its inference id is the
request's signature (the Authorization header). Refusals are counted by status; a failed
connection is an unknown outcome and counts as neither. Stops after `max_requests` in all, or
on `stop()`.
"""

from __future__ import annotations

import itertools
import random
import threading
from collections import Counter

import openai

from node.core.keys import AccountKey
from node.devnet.supervisor import wait_for
from tests.integration.network_fixtures import Network

MAX_TOKENS = 16
RETRY_PAUSE_S = 0.5  # after a refusal (PoC phase, busy node): try again shortly


class InferenceLoad:
    def __init__(self, network: Network, tas: list[str], workers: int = 3, max_requests: int = 400) -> None:
        self.network = network
        self.tas = tas
        self.key: AccountKey = network.developer()
        self.accepted: list[str] = []
        self.refused: Counter[int] = Counter()
        self.refusal_messages: dict[int, str] = {}  # the first message seen per status, for reports
        self.unknown = 0
        self._count = itertools.count()
        self._max_requests = max_requests
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(random.Random(i),), daemon=True, name=f"load-{i}")
                         for i in range(workers)]

    def start(self) -> InferenceLoad:
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)

    def __enter__(self) -> InferenceLoad:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_accepted(self, more: int, timeout_s: float) -> None:
        """Until `more` requests beyond those accepted now are accepted (the network serves again)."""
        target = len(self.accepted) + more
        served = wait_for(lambda: len(self.accepted) >= target, timeout_s, interval_s=0.2)
        assert served, (f"only {len(self.accepted)} of {target} requests accepted within {timeout_s:.0f} s; "
                        f"refusals {dict(self.refused)} ({self.refusal_messages}), unknown outcomes {self.unknown}")

    def _run(self, rng: random.Random) -> None:
        clients = {ta: self.network.openai(self.key, ta) for ta in self.tas}
        try:
            while not self._stop.is_set() and (n := next(self._count)) < self._max_requests:
                ta = rng.choice(self.tas)
                messages = [{"role": "user", "content": f"load {n}: count to {rng.randrange(100)}"}]
                try:
                    self._send(clients[ta], messages, stream=n % 2 == 1)
                except openai.APIStatusError as error:
                    with self._lock:
                        self.refused[error.status_code] += 1
                        self.refusal_messages.setdefault(error.status_code, error.message)
                    self._stop.wait(RETRY_PAUSE_S)
                    continue
                except openai.APIConnectionError:
                    with self._lock:
                        self.unknown += 1
                    self._stop.wait(RETRY_PAUSE_S)
        finally:
            for client in clients.values():
                client.close()

    def _send(self, client: openai.OpenAI, messages: list[dict[str, str]], stream: bool) -> None:
        """Record the inference id once the api node accepted the request (raises on a refusal)."""
        raw = client.chat.completions.with_raw_response.create(
            model=self.network.model, messages=messages, max_tokens=MAX_TOKENS, stream=stream)
        inference_id = raw.http_request.headers["authorization"]
        with self._lock:
            self.accepted.append(inference_id)
        try:
            answer = raw.parse()
            if stream:
                for _ in answer:
                    pass
        except openai.OpenAIError:
            pass  # broken off after it was accepted (its executor was killed): still accepted
