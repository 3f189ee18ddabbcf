import pytest
import torch

from node.ml.inference import ModelLoadError, ModelSpec, UnknownModelError
from node.ml.inference.fingerprint import fingerprint_directory, fingerprint_tensors
from node.ml.inference.model_spec import DEFAULT_MODEL_ID
from node.ml.inference.seeded import materialize, seeded_fingerprint, seeded_weights
from node.ml.inference.transformers_runner import TransformersRunner

# Golden: the weights follow from the id alone, on every machine and library version.
SEED0_FINGERPRINT = "sha256:cf52b5db18ca3e903720b1d26e3db0c25489129a0bfd23109f6f04f72d653a33"
SEED1_FINGERPRINT = "sha256:2effd7beb1f9801e2ad522e06b4dc75c2b3c5a5fbbacfda00c3e726ee874549a"


def test_seeded_ids_name_architecture_and_seed():
    spec = ModelSpec.parse(DEFAULT_MODEL_ID)
    assert (spec.architecture, spec.seed, spec.is_seeded) == ("llama-10m", 0, True)
    assert spec.with_seed(7).id == "devnet-llama-10m-seed7"


@pytest.mark.parametrize("ref", ["devnet-llama-99b-seed0", "devnet-llama-10m", "gpt-4o", "/no/such/dir"])
def test_unknown_model_references_are_rejected(ref):
    with pytest.raises(UnknownModelError) as info:
        ModelSpec.parse(ref)
    assert info.value.http_status == 404


def test_weights_and_fingerprint_follow_from_the_seed():
    assert seeded_fingerprint(ModelSpec.parse("devnet-llama-10m-seed0")) == SEED0_FINGERPRINT
    assert seeded_fingerprint(ModelSpec.parse("devnet-llama-10m-seed1")) == SEED1_FINGERPRINT
    weights = seeded_weights(ModelSpec.parse(DEFAULT_MODEL_ID))
    assert 10_000_000 < sum(t.numel() for t in weights.values()) < 12_000_000
    assert torch.equal(weights["model.norm.weight"], torch.ones(384))


def test_fingerprint_covers_names_values_and_dtype():
    base = {"a": torch.zeros(3), "b": torch.ones(2)}
    variants = [
        {"a": torch.zeros(3), "c": torch.ones(2)},
        {"a": torch.zeros(3), "b": torch.tensor([1.0, 1.5])},
        {"a": torch.zeros(3, dtype=torch.float64), "b": torch.ones(2)},
        {"a": torch.zeros(1, 3), "b": torch.ones(2)},
    ]
    assert fingerprint_tensors(base) == fingerprint_tensors(dict(reversed(base.items())))
    assert len({fingerprint_tensors(base), *(fingerprint_tensors(v) for v in variants)}) == 5


def test_a_materialized_model_loads_as_a_local_directory_with_the_same_weights(tmp_path):
    spec = ModelSpec.parse(DEFAULT_MODEL_ID)
    directory = materialize(spec, tmp_path / "m")
    assert fingerprint_directory(directory) == SEED0_FINGERPRINT
    local = TransformersRunner.load(ModelSpec.local(directory, "copy"), threads=1)
    seeded = TransformersRunner.load(spec, threads=1)
    assert (local.info.id, local.info.fingerprint, local.info.context_length) == ("copy", SEED0_FINGERPRINT, 1024)
    ids = list(range(1, 40))
    assert local.score(ids, 5, 5) == seeded.score(ids, 5, 5)


def test_a_directory_without_safetensors_is_refused(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="safetensors"):
        TransformersRunner.load(ModelSpec.local(tmp_path))


def test_unknown_dtype_is_refused():
    with pytest.raises(ModelLoadError, match="dtype"):
        TransformersRunner.load(ModelSpec.parse(DEFAULT_MODEL_ID), dtype="int3")
