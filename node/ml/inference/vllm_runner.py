"""The vLLM runtime (CUDA only; extra `gonka-lab[gpu]`), written against vLLM's public API.

Generation drives `LLM.llm_engine` step by step (`add_request` / `step` / `abort_request`) so
tokens stream out as they are made; prompts go in as token ids (`TokensPrompt`) rendered by our
own chat template, so both runtimes see identical prompts. vLLM returns the top-k plus the
sampled token per position (`SamplingParams.logprobs`, raw logprobs by default); end-of-sequence
and stop strings are decided by the shared `CompletionBuilder` (`ignore_eos=True`, then abort).
Validation uses `prompt_logprobs` over prompt + completion: training-inference.md §8.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import AutoConfig, AutoTokenizer, GenerationConfig, PreTrainedTokenizerBase

from node.ml.inference.errors import BackendUnavailableError, ModelLoadError
from node.ml.inference.fingerprint import fingerprint_directory
from node.ml.inference.model_spec import ModelInfo, ModelSpec
from node.ml.inference.request import MAX_TOP_LOGPROBS
from node.ml.inference.runner import GenerationRow, TokenLogprobs, eos_token_ids
from node.ml.inference.sampling import SamplingParams
from node.ml.inference.seeded import materialize
from node.ml.inference.token_table import TokenTable

_INT63 = 2**63


def import_vllm() -> Any:
    """The vllm module, or a BackendUnavailableError saying what is missing."""
    import torch

    try:
        import vllm
    except ImportError as exc:
        raise BackendUnavailableError("vLLM is not installed (pip install 'gonka-lab[gpu]')") from exc
    if not torch.cuda.is_available():
        raise BackendUnavailableError("vLLM needs a CUDA GPU and none is visible")
    return vllm


class VllmRunner:
    """`vllm` is the vllm module and `llm` a `vllm.LLM` (both passed in, so tests can script them)."""

    def __init__(
        self, vllm: Any, llm: Any, tokenizer: PreTrainedTokenizerBase, info: ModelInfo, eos_ids: frozenset[int]
    ) -> None:
        self._vllm = vllm
        self.llm = llm
        self.tokenizer = tokenizer
        self.info = info
        self.tokens = TokenTable.from_tokenizer(tokenizer)
        self.eos_ids = eos_ids

    @classmethod
    def load(cls, spec: ModelSpec, dtype: str = "bfloat16", gpu_memory_utilization: float = 0.5) -> VllmRunner:
        vllm = import_vllm()
        path = (
            materialize(spec, Path(tempfile.mkdtemp(prefix="gonka-model-")) / spec.id) if spec.is_seeded else spec.path
        )
        if path is None or not path.is_dir():
            raise ModelLoadError(f"{spec.id}: not a model directory")
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        if tokenizer.chat_template is None:
            raise ModelLoadError(f"{spec.id}: the tokenizer has no chat template")
        context = int(AutoConfig.from_pretrained(path, local_files_only=True).max_position_embeddings)
        llm = vllm.LLM(
            model=str(path),
            tokenizer=str(path),
            dtype=dtype,
            seed=0,
            max_model_len=context,
            max_logprobs=MAX_TOP_LOGPROBS,
            gpu_memory_utilization=gpu_memory_utilization,
        )
        try:
            generation_config = GenerationConfig.from_pretrained(path, local_files_only=True)
        except OSError:
            generation_config = None
        info = ModelInfo(id=spec.id, fingerprint=fingerprint_directory(path), context_length=context)
        return cls(vllm, llm, tokenizer, info, eos_token_ids(generation_config, tokenizer))

    def generate(self, rows: Sequence[GenerationRow]) -> Generator[None, None, None]:
        engine = self.llm.llm_engine
        pending: dict[str, _Pending] = {}
        for row in rows:
            request_id = f"gonka-{uuid.uuid4().hex}"
            prompt = self._vllm.inputs.TokensPrompt(prompt_token_ids=list(row.prompt_ids))
            engine.add_request(request_id, prompt, self._sampling(row.params))
            pending[request_id] = _Pending(row)
        try:
            while pending:
                for output in engine.step():
                    if output.request_id in pending and pending[output.request_id].feed(output):
                        del pending[output.request_id]
                        if not output.finished:
                            engine.abort_request([output.request_id])
                yield
        finally:
            if pending:  # the caller stopped early (client gone): free the engine's slots
                engine.abort_request(list(pending))

    def score(self, token_ids: Sequence[int], start: int, top_k: int) -> list[TokenLogprobs]:
        if not 0 < start <= len(token_ids):
            raise ValueError(f"start must be in 1..{len(token_ids)}; got {start}")
        params = self._vllm.SamplingParams(max_tokens=1, temperature=0.0, prompt_logprobs=top_k, detokenize=False)
        prompt = self._vllm.inputs.TokensPrompt(prompt_token_ids=list(token_ids))
        output = self.llm.generate([prompt], params, use_tqdm=False)[0]
        positions = output.prompt_logprobs[start:]
        return [_step(token_ids[start + j], entries, top_k) for j, entries in enumerate(positions)]

    def _sampling(self, params: SamplingParams) -> Any:
        return self._vllm.SamplingParams(
            n=1,
            temperature=params.temperature,
            top_p=params.top_p,
            seed=params.seed % _INT63,
            max_tokens=params.max_tokens,
            logprobs=params.top_logprobs,
            ignore_eos=True,
            detokenize=False,
        )


@dataclass(slots=True)
class _Pending:
    row: GenerationRow
    pushed: int = 0  # tokens of the (cumulative) output already pushed to the row

    def feed(self, output: Any) -> bool:
        """Push the output's new tokens; True once the row is done."""
        completion = output.outputs[0]
        token_ids = list(completion.token_ids)
        while self.pushed < len(token_ids):
            j = self.pushed
            self.pushed += 1
            if self.row.push(_step(token_ids[j], completion.logprobs[j], self.row.params.top_logprobs)):
                return True
        return bool(output.finished)


def _step(token_id: int, entries: Mapping[int, Any], top_k: int) -> TokenLogprobs:
    """vLLM's {id: Logprob(logprob, rank, ...)} for one position -> TokenLogprobs."""
    ranked = sorted((e.rank, i, e.logprob) for i, e in entries.items() if e.rank is not None and e.rank <= top_k)
    return TokenLogprobs(token_id, float(entries[token_id].logprob), tuple((i, float(lp)) for _, i, lp in ranked))
