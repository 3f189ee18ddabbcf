import pytest

from node.ml.inference import ChatRequest, InferenceConfig, ModelLoadError, ModelSpec
from node.ml.inference.adversary import FakeLogprobsRunner, fake_logprobs, wrong_model
from node.ml.inference.transformers_runner import TransformersRunner

from .backends import MODEL, backend, body


def run(adversary: str | None):
    return backend(adversary).chat(ChatRequest.from_openai(body(seed=11, max_tokens=16)))


def logprobs(result) -> list[float]:
    return [e["logprob"] for e in result.response["choices"][0]["logprobs"]["content"]]


def test_wrong_model_serves_other_weights_under_the_honest_name_and_fingerprint():
    honest, cheat = run(None), run("wrong-model")
    assert backend("wrong-model").models() == backend().models()
    assert cheat.response["model"] == MODEL
    assert cheat.completion_token_ids != honest.completion_token_ids


def test_fake_logprobs_keeps_the_tokens_and_changes_the_numbers():
    honest, cheat = run(None), run("fake-logprobs")
    assert cheat.completion_token_ids == honest.completion_token_ids
    assert cheat.text == honest.text
    ratios = [c / h for c, h in zip(logprobs(cheat), logprobs(honest))]
    assert all(r > 0 for r in ratios) and min(ratios) < 0.95 and max(ratios) > 1.05
    for entry in cheat.response["choices"][0]["logprobs"]["content"]:
        values = [t["logprob"] for t in entry["top_logprobs"]]
        assert values == sorted(values, reverse=True)


def test_fake_logprobs_does_not_touch_scoring():
    honest = TransformersRunner.load(ModelSpec.parse(MODEL), threads=1)
    cheat = FakeLogprobsRunner(honest, noise=0.5, seed=0)
    assert cheat.score(list(range(1, 30)), 10, 5) == honest.score(list(range(1, 30)), 10, 5)


def test_wrong_model_takes_a_configured_substitute():
    loader = wrong_model(TransformersRunner.load, ModelSpec.parse("devnet-llama-10m-seed5"))
    runner = loader(ModelSpec.parse(MODEL))
    assert runner.info.id == MODEL
    assert runner.score([1, 2, 3], 1, 3) == TransformersRunner.load(
        ModelSpec.parse("devnet-llama-10m-seed5"), threads=1
    ).score([1, 2, 3], 1, 3)


def test_wrong_model_needs_a_substitute_for_a_local_directory(tmp_path):
    with pytest.raises(ModelLoadError, match="substitute"):
        wrong_model(TransformersRunner.load)(ModelSpec.local(tmp_path))


@pytest.mark.parametrize("noise", [0.0, -1.0, float("inf")])
def test_fake_logprobs_noise_must_be_positive(noise):
    with pytest.raises(ValueError):
        fake_logprobs(TransformersRunner.load, noise)


def test_config_reads_a_toml_table_and_selects_the_mode():
    config = InferenceConfig.from_dict({"models": [MODEL], "adversary": "fake-logprobs", "fake_logprobs_noise": 0.3})
    assert config.models == (MODEL,) and config.adversary == "fake-logprobs"
    assert isinstance(config.loader()(ModelSpec.parse(MODEL)), FakeLogprobsRunner)


@pytest.mark.parametrize(
    ("table", "match"),
    [({"adversary": "lazy"}, "adversary"), ({"backend": "onnx"}, "backend"), ({"modles": []}, "unknown")],
)
def test_bad_config_is_refused(table, match):
    with pytest.raises(ModelLoadError, match=match):
        InferenceConfig.from_dict(table)
