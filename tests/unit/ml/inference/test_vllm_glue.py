"""The vLLM runner's glue code on CPU. vLLM cannot run without a GPU, so a scripted engine with
vLLM's public output shapes (RequestOutput, CompletionOutput, {id: Logprob}) stands in for it;
test_vllm_runner.py runs the real thing where a GPU exists."""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from node.ml.inference import ChatRequest, ModelInfo, RunnerBackend
from node.ml.inference.tokenizer import build_devnet_tokenizer
from node.ml.inference.vllm_runner import VllmRunner

from .backends import MODEL, body

EOS = 1019
SCRIPT = [300, 301, 302, EOS, 303, 304, 305, 306]


@dataclass
class Logprob:  # vllm.logprobs.Logprob
    logprob: float
    rank: int | None
    decoded_token: str | None = None


def entries(token: int, k: int) -> dict[int, Logprob]:
    """Top-k ids 10.. with ranks 1..k, plus the chosen token (rank 40 unless it is in the top)."""
    top = {10 + r: Logprob(-0.5 * (r + 1), r + 1) for r in range(k)}
    return {**top, token: top.get(token, Logprob(-7.0, 40))}


class ScriptedEngine:
    """vLLM's LLMEngine surface: add_request / step / abort_request, cumulative outputs."""

    def __init__(self) -> None:
        self.live: dict[str, tuple[object, list[int]]] = {}
        self.params: list[object] = []
        self.aborted: list[str] = []

    def add_request(self, request_id, prompt, params):
        assert prompt["prompt_token_ids"]
        self.live[request_id] = (params, [])
        self.params.append(params)

    def step(self):
        outputs = []
        for request_id, (params, emitted) in list(self.live.items()):
            emitted.append(SCRIPT[len(emitted)])
            finished = len(emitted) >= params.max_tokens
            completion = SimpleNamespace(
                token_ids=tuple(emitted), logprobs=[entries(t, params.logprobs) for t in emitted]
            )
            outputs.append(SimpleNamespace(request_id=request_id, finished=finished, outputs=[completion]))
            if finished:
                del self.live[request_id]
        return outputs

    def abort_request(self, request_ids):
        self.aborted.extend(request_ids)
        for request_id in request_ids:
            self.live.pop(request_id, None)


class ScriptedLLM:
    def __init__(self) -> None:
        self.llm_engine = ScriptedEngine()

    def generate(self, prompts, params, use_tqdm=True):
        ids = prompts[0]["prompt_token_ids"]
        return [SimpleNamespace(prompt_logprobs=[None] + [entries(t, params.prompt_logprobs) for t in ids[1:]])]


FAKE_VLLM = SimpleNamespace(
    SamplingParams=lambda **kw: SimpleNamespace(**kw),
    inputs=SimpleNamespace(TokensPrompt=lambda **kw: kw),
)


@pytest.fixture
def runner():
    info = ModelInfo(id=MODEL, fingerprint="sha256:x", context_length=1024)
    return VllmRunner(FAKE_VLLM, ScriptedLLM(), build_devnet_tokenizer(), info, frozenset({EOS}))


def serving(runner: VllmRunner) -> RunnerBackend:
    backend = RunnerBackend(lambda spec: runner)
    backend.load(MODEL)
    return backend


def test_eos_ends_the_completion_and_aborts_the_vllm_request(runner):
    result = serving(runner).chat(ChatRequest.from_openai(body(max_tokens=6, seed=-5)))
    assert result.completion_token_ids == (300, 301, 302, EOS) and result.finish_reason == "stop"
    engine = runner.llm.llm_engine
    assert len(engine.aborted) == 1 and not engine.live
    [params] = engine.params
    assert (params.ignore_eos, params.detokenize, params.logprobs, params.max_tokens) == (True, False, 5, 6)
    assert 0 <= params.seed < 2**63 and params.temperature == 1.0


def test_top_logprobs_come_from_vllm_ranks_and_the_chosen_token_from_its_entry(runner):
    result = serving(runner).chat(ChatRequest.from_openai(body(max_tokens=2)))
    first = result.response["choices"][0]["logprobs"]["content"][0]
    assert first["logprob"] == -7.0
    assert [t["logprob"] for t in first["top_logprobs"]] == [-0.5, -1.0, -1.5, -2.0, -2.5]
    assert first["top_logprobs"][0]["bytes"] == list(runner.tokens.bytes_of(10))
    assert result.finish_reason == "length"


def test_a_closed_stream_aborts_the_pending_request(runner):
    stream = serving(runner).chat_stream(ChatRequest.from_openai(body(max_tokens=8, stream=True)))
    next(stream), next(stream)
    stream.close()
    engine = runner.llm.llm_engine
    assert len(engine.aborted) == 1 and not engine.live


def test_score_reads_prompt_logprobs_from_the_completion_start(runner):
    scored = runner.score([1, 2, 12, 99], start=2, top_k=3)
    assert [s.token_id for s in scored] == [12, 99]
    assert scored[0].logprob == -1.5 and scored[1].logprob == -7.0
    assert scored[1].top == ((10, -0.5), (11, -1.0), (12, -1.5))
