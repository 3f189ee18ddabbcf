from collections import Counter

import torch

from node.ml.inference import ChatRequest
from node.ml.inference.sampling import SamplingParams, sample_token

LOGITS = torch.tensor([2.0, 1.0, 0.5, 0.0, -1.0])


def params(**kw) -> SamplingParams:
    return SamplingParams(**{"temperature": 1.0, "top_p": 1.0, "seed": 0, "max_tokens": 1, "top_logprobs": 0, **kw})


def draws(p: SamplingParams, n: int = 400) -> list[int]:
    generator = p.generator("cpu")
    return [sample_token(LOGITS, p, generator) for _ in range(n)]


def test_temperature_zero_is_greedy():
    assert set(draws(params(temperature=0.0), 20)) == {0}


def test_the_same_seed_draws_the_same_tokens_and_another_seed_does_not():
    assert draws(params(seed=5)) == draws(params(seed=5))
    assert draws(params(seed=5)) != draws(params(seed=6))


def test_negative_openai_seeds_are_accepted():
    assert draws(params(seed=-1), 10) == draws(params(seed=2**64 - 1), 10)


def test_frequencies_follow_the_softmax():
    counts = Counter(draws(params(seed=1), 4000))
    expected = torch.softmax(LOGITS, -1)
    for token, p in enumerate(expected.tolist()):
        assert abs(counts[token] / 4000 - p) < 0.03


def test_top_p_keeps_the_smallest_nucleus():
    # softmax = [.53, .20, .12, .07, .03]: top_p=0.6 keeps tokens 0 and 1 only.
    assert set(draws(params(top_p=0.6))) == {0, 1}
    assert set(draws(params(top_p=1e-6), 50)) == {0}


def test_low_temperature_sharpens():
    cold = Counter(draws(params(temperature=0.2)))
    assert cold[0] > 390


def test_request_without_seed_gets_a_random_one():
    request = ChatRequest.from_openai({"model": "m", "messages": [{"role": "user", "content": "x"}]})
    seeds = {SamplingParams.for_request(request, 4).seed for _ in range(5)}
    assert len(seeds) == 5
    assert SamplingParams.for_request(request, 4).top_logprobs == 0
