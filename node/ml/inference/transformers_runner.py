"""The transformers runtime (CPU or GPU): a KV-cached decode loop that keeps top-k logprobs.

`generate` runs all rows as one left-padded batch; each step is one forward of the new tokens,
one log_softmax and one top-k over the batch, then a seeded draw per row. `score` is the
validator's teacher-forced pass: one forward over prompt + completion, the equivalent of vLLM's
`prompt_logprobs` (the two agree to ~1e-6 on CPU, training-inference.md §8).
"""

from __future__ import annotations

import inspect
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from node.ml.inference.errors import ModelLoadError
from node.ml.inference.fingerprint import fingerprint_directory
from node.ml.inference.model_spec import ModelInfo, ModelSpec
from node.ml.inference.runner import GenerationRow, TokenLogprobs, eos_token_ids
from node.ml.inference.sampling import sample_token
from node.ml.inference.seeded import build_seeded
from node.ml.inference.token_table import TokenTable

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class TransformersRunner:
    def __init__(
        self, model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, info: ModelInfo, threads: int | None = None
    ) -> None:
        self.model = model
        self.threads = threads
        self.tokenizer = tokenizer
        self.info = info
        self.tokens = TokenTable.from_tokenizer(tokenizer)
        self.eos_ids = eos_token_ids(model.generation_config, tokenizer)
        self.device = next(model.parameters()).device
        # transformers 5 renamed the KV-cache argument and output field from past_key_values.
        self._cache_name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
        self._pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0

    @classmethod
    def load(
        cls, spec: ModelSpec, device: str = "cpu", dtype: str = "float32", threads: int | None = None
    ) -> TransformersRunner:
        """`threads`: CPU threads torch uses while this runner computes (None: torch's setting)."""
        if dtype not in DTYPES:
            raise ModelLoadError(f"dtype must be one of {', '.join(DTYPES)}; got {dtype!r}")
        model: PreTrainedModel
        tokenizer: PreTrainedTokenizerBase
        if spec.is_seeded:
            model, tokenizer, fingerprint = build_seeded(spec)
        else:
            model, tokenizer, fingerprint = _load_directory(spec.path or Path(spec.id))
        model = model.to(device=device, dtype=DTYPES[dtype]).eval()
        if tokenizer.chat_template is None:
            raise ModelLoadError(f"{spec.id}: the tokenizer has no chat template")
        context = int(getattr(model.config, "max_position_embeddings", 0) or tokenizer.model_max_length)
        info = ModelInfo(id=spec.id, fingerprint=fingerprint, context_length=context)
        return cls(model, tokenizer, info, threads)

    def generate(self, rows: Sequence[GenerationRow]) -> Generator[None, None, None]:
        if rows:
            with torch.inference_mode(), _torch_threads(self.threads):
                yield from self._decode(rows)

    def _decode(self, rows: Sequence[GenerationRow]) -> Generator[None, None, None]:
        generators = [row.params.generator(self.device) for row in rows]
        top_k = max(1, *(row.params.top_logprobs for row in rows))
        input_ids, mask = self._left_padded([row.prompt_ids for row in rows])
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        active = [True] * len(rows)
        cache = None
        while True:
            out = self.model(
                input_ids=input_ids,
                attention_mask=mask,
                position_ids=positions,
                use_cache=True,
                logits_to_keep=1,
                **{self._cache_name: cache},
            )
            cache = getattr(out, self._cache_name)
            logits = out.logits[:, -1, :].float()
            logprobs = torch.log_softmax(logits, dim=-1)
            top_values, top_ids = logprobs.topk(min(top_k, logprobs.shape[-1]), dim=-1)
            next_ids = torch.full((len(rows),), self._pad_id, dtype=torch.long)
            for r, row in enumerate(rows):
                if not active[r]:
                    continue
                token = sample_token(logits[r], row.params, generators[r])
                k = row.params.top_logprobs
                top = tuple(zip(top_ids[r, :k].tolist(), top_values[r, :k].tolist(), strict=True))
                active[r] = not row.push(TokenLogprobs(token, float(logprobs[r, token]), top))
                next_ids[r] = token
            yield
            if not any(active):
                return
            # Finished rows keep decoding a pad token (ignored) so the batch stays rectangular.
            input_ids = next_ids.to(self.device).unsqueeze(1)
            mask = torch.cat([mask, mask.new_ones((len(rows), 1))], dim=1)
            positions = positions[:, -1:] + 1

    def score(self, token_ids: Sequence[int], start: int, top_k: int) -> list[TokenLogprobs]:
        if not 0 < start <= len(token_ids):
            raise ValueError(f"start must be in 1..{len(token_ids)}; got {start}")
        ids = torch.tensor([list(token_ids)], dtype=torch.long, device=self.device)
        n = len(token_ids) - start
        if n == 0:
            return []
        # Logits at positions start-1 .. end-2 predict tokens start .. end-1.
        with torch.inference_mode(), _torch_threads(self.threads):
            logits = self.model(input_ids=ids, logits_to_keep=n + 1).logits[0, :-1].float()
        logprobs = torch.log_softmax(logits, dim=-1)
        targets = ids[0, start:]
        chosen = logprobs.gather(-1, targets.unsqueeze(-1)).squeeze(-1).tolist()
        values, indices = logprobs.topk(min(max(top_k, 1), logprobs.shape[-1]), dim=-1)
        top_values, top_ids = values[:, :top_k].tolist(), indices[:, :top_k].tolist()
        return [
            TokenLogprobs(token, lp, tuple(zip(ids_j, values_j, strict=True)))
            for token, lp, ids_j, values_j in zip(targets.tolist(), chosen, top_ids, top_values, strict=True)
        ]

    def _left_padded(self, prompts: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        width = max(len(p) for p in prompts)
        ids = torch.full((len(prompts), width), self._pad_id, dtype=torch.long)
        mask = torch.zeros((len(prompts), width), dtype=torch.long)
        for r, prompt in enumerate(prompts):
            ids[r, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
            mask[r, width - len(prompt) :] = 1
        return ids.to(self.device), mask.to(self.device)


@contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Run with `threads` intra-op threads, then restore. A small model on a shared CPU is far
    faster on one thread: spinning OpenMP workers that lose their core slow it down 5-15x."""
    if threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _load_directory(path: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, str]:
    if not path.is_dir():
        raise ModelLoadError(f"{path}: not a model directory")
    fingerprint = fingerprint_directory(path)
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"{path}: {exc}") from exc
    return model, tokenizer, fingerprint
