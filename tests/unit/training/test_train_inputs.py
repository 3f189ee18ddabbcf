"""Bad input to `gonka train start` and to the ML node's training service: one clear error each."""

import json
from pathlib import Path

import pytest

from gonka_lab.commands.train import build_spec, read_spec_file
from node.ml.config import ConfigError, MlNodeConfig, TrainingConfig
from node.ml.service.errors import InvalidArgument
from node.ml.service.training import TrainingService
from node.proto.gonka import training_pb2 as pb


def test_a_spec_file_becomes_a_task_spec_and_budget(tmp_path: Path) -> None:
    path = tmp_path / "task.toml"
    path.write_text('model = "tiny-llama"\ninner_steps = 20\ninner_lr = 0.002\nbudget = 5000\n')
    spec, budget = build_spec(read_spec_file(path))
    assert (spec.inner_steps, spec.inner_lr_micro, spec.segment_steps, budget) == (20, 2000, 5, 5000)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "budget must be a positive number"),
        ({"budget": 10, "inner_lr": 2}, "inner_lr must be a number in (0, 1)"),
        ({"budget": 10, "workers": 3}, "unknown spec fields ['workers']"),
        ({"budget": 10, "inner_steps": "ten"}, "'inner_steps' must be a non-negative integer"),
    ],
)
def test_bad_spec_fields_are_named(values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError) as error:
        build_spec(values)
    assert message in str(error.value)


def test_unreadable_spec_files_are_named(tmp_path: Path) -> None:
    path = tmp_path / "task.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="is not valid JSON"):
        read_spec_file(path)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"spec_json": "{"}, "bad spec_json"),
        ({"spec_json": json.dumps({"layers": 3})}, "unknown spec fields"),
        ({"lighthouse_url": "127.0.0.1:1"}, "lighthouse_url must look like http://HOST:PORT"),
        ({"shard": 3, "num_shards": 3}, "shard 3 is not below num_shards 3"),
    ],
)
def test_training_service_refuses_bad_start_requests(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    request = pb.StartTrainingRequest(task_id=1, spec_json="{}", shard=0, num_shards=1,
                                      lighthouse_url="http://127.0.0.1:1")
    for name, value in fields.items():
        setattr(request, name, value)
    with pytest.raises(InvalidArgument, match=message.replace("(", r"\(")):
        TrainingService(tmp_path).start(request)
    assert not (tmp_path / "tasks").exists()


def test_ml_node_training_config_resolves_home_and_refuses_unknown_adversaries(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('name = "m"\n[grpc]\nlisten = "127.0.0.1:0"\n[training]\nhome = "t"\nadversary = "lazy-trainer:noise"\n')
    loaded = MlNodeConfig.load(path)
    assert loaded.training == TrainingConfig(home=tmp_path / "t", adversary="lazy-trainer:noise")
    path.write_text('name = "m"\n[grpc]\nlisten = "127.0.0.1:0"\n[training]\nadversary = "lazy-sleeper"\n')
    with pytest.raises(ConfigError, match="unknown training adversary 'lazy-sleeper'"):
        MlNodeConfig.load(path)
