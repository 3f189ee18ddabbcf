"""The service state machine against the table in its docstring, cell by cell."""

from __future__ import annotations

import pytest

from node.ml.service.state import Action, Conflict, ServiceState, ServiceStateMachine, next_state

A, S = Action, ServiceState
_ = None  # refused

# Rows: actions; columns: STOPPED, INFERENCE, POW, TRAIN (written out again, not read from the module).
EXPECTED: dict[Action, tuple[ServiceState | None, ...]] = {
    A.INFERENCE_UP: (S.INFERENCE, S.INFERENCE, _, _),
    A.INFERENCE_USE: (_, S.INFERENCE, _, _),
    A.INFERENCE_DOWN: (_, S.STOPPED, _, _),
    A.POW_INIT: (S.POW, _, S.POW, _),
    A.POW_USE: (_, _, S.POW, _),
    A.TRAIN_UP: (S.TRAIN, S.TRAIN, _, S.TRAIN),
    A.TRAIN_DOWN: (_, _, _, S.STOPPED),
    A.STOP: (S.STOPPED, S.STOPPED, S.STOPPED, S.STOPPED),
}
COLUMNS = (S.STOPPED, S.INFERENCE, S.POW, S.TRAIN)
CELLS = [(action, state, row[i]) for action, row in EXPECTED.items() for i, state in enumerate(COLUMNS)]


def test_every_action_is_in_the_table() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize(("action", "state", "expected"), CELLS, ids=[f"{a.name}-{s.name}" for a, s, _ in CELLS])
def test_transition(action: Action, state: ServiceState, expected: ServiceState | None) -> None:
    machine = ServiceStateMachine(state)
    if expected is None:
        with pytest.raises(Conflict) as refused:
            machine.apply(action)
        assert machine.state is state  # a refusal changes nothing
        assert refused.value.state is state and refused.value.action is action
        assert state.value in str(refused.value)
    else:
        assert machine.apply(action) is state  # returns the state it left
        assert machine.state is expected


def test_check_does_not_move() -> None:
    machine = ServiceStateMachine()
    machine.check(A.INFERENCE_UP)
    assert machine.state is S.STOPPED
    with pytest.raises(Conflict):
        machine.check(A.INFERENCE_USE)


@pytest.mark.parametrize(
    ("state", "action", "hint"),
    [
        (S.INFERENCE, A.POW_INIT, "call Stop first"),
        (S.POW, A.INFERENCE_USE, "call Stop first"),
        (S.POW, A.INFERENCE_UP, "PoW job runs"),
        (S.STOPPED, A.INFERENCE_USE, "call LoadModel first"),
        (S.STOPPED, A.POW_USE, "call InitValidate first"),
        (S.TRAIN, A.POW_INIT, "training runs"),
        (S.TRAIN, A.INFERENCE_USE, "call StopTraining"),
        (S.POW, A.TRAIN_UP, "start a training worker is refused in state POW: a PoW job runs"),
    ],
)
def test_refusals_say_what_to_do(state: ServiceState, action: Action, hint: str) -> None:
    with pytest.raises(Conflict, match=hint):
        next_state(state, action)


def test_reference_flow_inference_then_sprint_then_inference() -> None:
    """The api node's epoch: serve, stop, sprint, validate, stop, serve again."""
    machine = ServiceStateMachine()
    for action in (A.INFERENCE_UP, A.INFERENCE_USE, A.STOP, A.POW_INIT, A.POW_INIT, A.POW_USE, A.STOP, A.INFERENCE_UP):
        machine.apply(action)
    assert machine.state is S.INFERENCE


def test_training_flow_inference_then_train_then_inference() -> None:
    """A host that serves, trains (the models stay loaded), and serves again once training ends."""
    machine = ServiceStateMachine()
    for action in (A.INFERENCE_UP, A.TRAIN_UP, A.TRAIN_UP, A.TRAIN_DOWN, A.INFERENCE_UP):
        machine.apply(action)
    assert machine.state is S.INFERENCE
