"""DiLoCo on torchft: the replica's Manager (lighthouse quorum, gloo process group, live
recovery) and torchft's DiLoCo (inner optimizer for H steps, then an all-reduced
pseudo-gradient applied by the outer optimizer). Nothing here re-implements a collective.

One replica group = one worker process (rank 0 of 1). A worker that dies is dropped from the
quorum after the lighthouse's heartbeat timeout and the others go on; a worker that (re)joins
is behind the quorum's step, so torchft heals it between outer steps from a live peer's state
(model, inner optimizer, DiLoCo's global copy and outer optimizer) and it contributes a zero
pseudo-gradient for that step.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torchft.manager
from torch import nn
from torch.distributed import TCPStore
from torchft import Manager, ProcessGroupGloo
from torchft.checkpointing.pg_transport import PGTransport
from torchft.coordination import ManagerServer
from torchft.local_sgd import DiLoCo

OUTER_LR = 0.7  # DiLoCo's outer Nesterov SGD (reference training-inference.md §1)
OUTER_MOMENTUM = 0.9
LOOPBACK = "127.0.0.1"


def outer_optimizer(model: nn.Module) -> torch.optim.SGD:
    return torch.optim.SGD(model.parameters(), lr=OUTER_LR, momentum=OUTER_MOMENTUM, nesterov=True)


def _loopback_manager_server(**kwargs: Any) -> ManagerServer:
    # torchft binds its manager server to [::] with no option; keep every listener on loopback.
    kwargs["bind"] = kwargs["bind"].replace("[::]", LOOPBACK)
    return ManagerServer(**kwargs)


torchft.manager.ManagerServer = _loopback_manager_server  # type: ignore[attr-defined,misc]


@dataclass(frozen=True)
class ReplicaConfig:
    replica_id: str
    lighthouse_url: str
    timeout_s: float = 30.0  # collectives and recovery
    quorum_timeout_s: float = 600.0  # a quorum waits for the slowest worker's H inner steps


@dataclass
class Replica:
    manager: Manager
    allreduce_bytes: int = 0  # payload this replica put into all-reduces so far

    def count_allreduces(self) -> None:
        allreduce = self.manager.allreduce

        def counted(tensor: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
            self.allreduce_bytes += tensor.numel() * tensor.element_size()
            return allreduce(tensor, *args, **kwargs)

        self.manager.allreduce = counted  # type: ignore[method-assign]


@contextmanager
def diloco_replica(
    model: nn.Module,
    inner: torch.optim.Optimizer,
    outer: torch.optim.Optimizer,
    inner_steps: int,
    config: ReplicaConfig,
) -> Iterator[Replica]:
    """Inside, every H-th `inner.step()` runs a quorum, the all-reduce and the outer step."""
    os.environ.setdefault("GLOO_SOCKET_IFNAME", "lo")  # gloo's pairs on loopback too
    timeout = timedelta(seconds=config.timeout_s)
    store = TCPStore(LOOPBACK, 0, is_master=True, wait_for_workers=False)
    pg = ProcessGroupGloo(timeout=timeout)

    def state_dict() -> dict[str, Any]:
        return {"model": model.state_dict(), "inner": inner.state_dict()}

    def load_state_dict(state: dict[str, Any]) -> None:
        model.load_state_dict(state["model"])
        inner.load_state_dict(state["inner"])

    manager = Manager(
        pg=pg,
        load_state_dict=load_state_dict,
        state_dict=state_dict,
        min_replica_size=1,
        use_async_quorum=False,  # torchft's DiLoCo requires a synchronous quorum
        timeout=timeout,
        quorum_timeout=timedelta(seconds=config.quorum_timeout_s),
        replica_id=config.replica_id,
        store_addr=LOOPBACK,
        store_port=store.port,
        rank=0,
        world_size=1,
        lighthouse_addr=config.lighthouse_url,
        hostname=LOOPBACK,
        init_sync=False,  # every worker builds the same initial weights from the task seed
        # Recovery over the process group itself: no extra HTTP listener.
        checkpoint_transport=PGTransport(pg, timeout=timeout, device=torch.device("cpu")),
    )
    replica = Replica(manager)
    replica.count_allreduces()
    try:
        with DiLoCo(manager, [model], inner, outer, sync_every=inner_steps, pin_memory=False):
            yield replica
    finally:
        manager.shutdown(wait=False)
