"""The ML node's service state machine (the reference's `ServiceState`, mlnode.md §7).

One service runs at a time. A request that needs another service than the running one is refused
with `Conflict` (the reference answers 409; the gRPC layer answers FAILED_PRECONDITION) and
changes nothing: the caller stops the running service first, as the reference's api node does
with `stop` then `init`.

| action (rpcs)                                        | STOPPED   | INFERENCE     | POW       | TRAIN    |
| ---------------------------------------------------- | --------- | ------------- | --------- | -------- |
| INFERENCE_UP   (LoadModel)                           | INFERENCE | INFERENCE     | refused   | refused  |
| INFERENCE_USE  (Chat, ChatStream, Tokenize,          | refused   | INFERENCE     | refused   | refused  |
|                 ValidateInference)                   |           |               |           |          |
| INFERENCE_DOWN (UnloadModel of the last model)       | refused   | STOPPED       | refused   | refused  |
| POW_INIT       (InitGenerate, InitValidate)          | POW       | refused       | POW       | refused  |
| POW_USE        (ValidateBatch)                       | refused   | refused       | POW       | refused  |
| TRAIN_UP       (StartTraining)                       | TRAIN     | TRAIN         | refused   | TRAIN    |
| TRAIN_DOWN     (the last worker ended or was stopped) | refused   | refused       | refused   | STOPPED  |
| STOP           (Stop)                                | STOPPED   | STOPPED       | STOPPED   | STOPPED  |

Health, PowStatus, ListModels and StreamGenerated are allowed in every state. UnloadModel of a
model that is not loaded is NOT_FOUND; with other models still loaded the node stays INFERENCE.
Inside POW the PoW controller tracks its own phase (generating or validating).

TRAIN runs DiLoCo workers (one process per task). Loaded models stay in memory while it runs but
serve nothing; when the last worker ends (done, failed or StopTraining) the node takes TRAIN_DOWN
and, if models are still loaded, INFERENCE_UP again: it is back where it was. Stop ends the
workers too. GetTrainingStatus, StreamTrainingEvents, FetchArtifact and ValidateTraining are
allowed in every state: they serve what workers already produced, or re-execute a few segments
for a vote, and refusing them during a sprint would only delay verification.
"""

from __future__ import annotations

from enum import StrEnum


class ServiceState(StrEnum):
    STOPPED = "STOPPED"
    INFERENCE = "INFERENCE"
    POW = "POW"
    TRAIN = "TRAIN"


class Action(StrEnum):
    INFERENCE_UP = "load a model"
    INFERENCE_USE = "an inference request"
    INFERENCE_DOWN = "unload the last model"
    POW_INIT = "a PoW init"
    POW_USE = "a PoW validation request"
    TRAIN_UP = "start a training worker"
    TRAIN_DOWN = "end training"
    STOP = "stop"


S = ServiceState
TRANSITIONS: dict[Action, dict[ServiceState, ServiceState]] = {
    Action.INFERENCE_UP: {S.STOPPED: S.INFERENCE, S.INFERENCE: S.INFERENCE},
    Action.INFERENCE_USE: {S.INFERENCE: S.INFERENCE},
    Action.INFERENCE_DOWN: {S.INFERENCE: S.STOPPED},
    Action.POW_INIT: {S.STOPPED: S.POW, S.POW: S.POW},
    Action.POW_USE: {S.POW: S.POW},
    Action.TRAIN_UP: {S.STOPPED: S.TRAIN, S.INFERENCE: S.TRAIN, S.TRAIN: S.TRAIN},
    Action.TRAIN_DOWN: {S.TRAIN: S.STOPPED},
    Action.STOP: {state: S.STOPPED for state in S},
}

# What the caller should do about a refusal, by the state that caused it.
_HINTS: dict[ServiceState, str] = {
    S.INFERENCE: "inference is up; call Stop first (it unloads the models)",
    S.POW: "a PoW job runs; call Stop first (it ends the job)",
    S.TRAIN: "training runs; call StopTraining (or Stop) first",
}
_STOPPED_HINTS: dict[Action, str] = {
    Action.INFERENCE_USE: "no model is loaded; call LoadModel first",
    Action.INFERENCE_DOWN: "no model is loaded",
    Action.POW_USE: "no PoW job runs; call InitValidate first",
    Action.TRAIN_DOWN: "no training runs",
}


class Conflict(Exception):
    """The action needs another service than the one running; nothing changed."""

    def __init__(self, action: Action, state: ServiceState) -> None:
        hint = _STOPPED_HINTS.get(action, "") if state is S.STOPPED else _HINTS[state]
        super().__init__(f"{action.value} is refused in state {state.value}: {hint}")
        self.action = action
        self.state = state


def next_state(state: ServiceState, action: Action) -> ServiceState:
    """The state after `action`, or `Conflict` when the table refuses it."""
    try:
        return TRANSITIONS[action][state]
    except KeyError:
        raise Conflict(action, state) from None


class ServiceStateMachine:
    """The current state; `apply` moves it along the table or raises `Conflict`."""

    def __init__(self, initial: ServiceState = S.STOPPED) -> None:
        self.state = initial

    def check(self, action: Action) -> None:
        """Raise `Conflict` unless `action` is allowed now (the state does not change)."""
        next_state(self.state, action)

    def apply(self, action: Action) -> ServiceState:
        """Take the transition; returns the previous state."""
        previous, self.state = self.state, next_state(self.state, action)
        return previous
