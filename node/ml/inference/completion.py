"""One completion as it grows: when it ends, and which text is safe to show so far.

A row finishes on an end-of-sequence token, on a stop string, or at max_tokens. As in vLLM the
token that completed a stop string stays in the token ids and logprobs (validation checks
tokens), while the text is cut before the stop string. Text is decoded from the tokens' exact
bytes incrementally, so a character split across tokens appears once it is whole; while
streaming, a tail that could still grow into a stop string is held back.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence

from node.ml.inference.runner import TokenLogprobs
from node.ml.inference.sampling import SamplingParams
from node.ml.inference.token_table import TokenTable


class CompletionBuilder:
    """A `GenerationRow`: receives tokens from a runner and tracks text and finish reason."""

    def __init__(
        self,
        prompt_ids: Sequence[int],
        params: SamplingParams,
        tokens: TokenTable,
        eos_ids: frozenset[int],
        stop: Sequence[str] = (),
    ) -> None:
        self.prompt_ids = list(prompt_ids)
        self.params = params
        self.steps: list[TokenLogprobs] = []
        self.finish_reason: str | None = None
        self._tokens = tokens
        self._eos_ids = eos_ids
        self._stop = tuple(stop)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._text = ""
        self._shown = 0  # characters of _text already handed out
        self._steps_taken = 0

    @property
    def text(self) -> str:
        return self._text

    @property
    def token_ids(self) -> list[int]:
        return [s.token_id for s in self.steps]

    def push(self, step: TokenLogprobs) -> bool:
        if self.finish_reason is not None:
            raise RuntimeError("push after the completion finished")
        self.steps.append(step)
        if step.token_id in self._eos_ids:
            self._finish("stop")
        else:
            if step.token_id not in self._tokens.special_ids:
                self._append(self._decoder.decode(self._tokens.bytes_of(step.token_id)))
            if self.finish_reason is None and len(self.steps) >= self.params.max_tokens:
                self._finish("length")
        return self.finish_reason is not None

    def take_text(self) -> str:
        """Text not handed out yet, minus a tail that might still become a stop string."""
        end = len(self._text) if self.finish_reason else len(self._text) - self._stop_prefix_tail()
        delta = self._text[self._shown : end]
        self._shown = max(self._shown, end)
        return delta

    def take_steps(self) -> list[TokenLogprobs]:
        """Tokens not handed out yet."""
        new = self.steps[self._steps_taken :]
        self._steps_taken = len(self.steps)
        return new

    def _append(self, piece: str) -> None:
        longest = max((len(s) for s in self._stop), default=0)
        search_from = max(0, len(self._text) - longest + 1)
        self._text += piece
        hits = [i for i in (self._text.find(s, search_from) for s in self._stop) if i >= 0]
        if hits:
            self._text = self._text[: min(hits)]
            self.finish_reason = "stop"

    def _finish(self, reason: str) -> None:
        # A dangling partial character becomes U+FFFD rather than vanishing.
        self._append(self._decoder.decode(b"", final=True))
        self.finish_reason = self.finish_reason or reason

    def _stop_prefix_tail(self) -> int:
        """Length of the longest suffix of the text that is a proper prefix of a stop string."""
        best = 0
        for s in self._stop:
            for n in range(min(len(s) - 1, len(self._text)), best, -1):
                if self._text.endswith(s[:n]):
                    best = n
                    break
        return best
