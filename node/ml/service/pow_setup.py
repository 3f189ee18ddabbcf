"""A checked PoW init request: what a sprint or a validation round runs with.

Checked in the rpc handler, before any state changes, so a bad init is INVALID_ARGUMENT and
leaves a running job alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from node.ml.pow.nonces import check_node
from node.ml.pow.params import R_TARGET, PowParams
from node.ml.pow.validate import FRAUD_THRESHOLD
from node.ml.service.errors import InvalidArgument
from node.proto.gonka import ml_pb2 as pb

# A bound on one batch's memory: activations grow with batch * seq_len * dim.
MAX_BATCH_SIZE = 4096


@dataclass(frozen=True)
class PowSetup:
    params: PowParams
    block_hash: str
    block_height: int
    public_key: str
    r_target: float
    fraud_threshold: float
    node_id: int
    node_count: int
    batch_size: int


def setup_from_request(request: pb.PowInitRequest, default_batch_size: int, *, generate: bool) -> PowSetup:
    """Defaults filled in (0 means "the reference's value"); raises `InvalidArgument`."""
    if not request.block_hash:
        raise InvalidArgument("block_hash must not be empty", "block_hash")
    if request.block_height < 0:
        raise InvalidArgument("block_height must not be negative", "block_height")
    if generate:
        if not request.public_key:
            raise InvalidArgument("public_key must not be empty", "public_key")
        try:
            check_node(request.node_id, request.node_count)
        except ValueError as exc:
            raise InvalidArgument(str(exc), "node_id") from None
    r_target = request.r_target or R_TARGET
    if not 0.0 < r_target <= 2.0:
        raise InvalidArgument(f"r_target must lie in (0, 2], got {r_target}", "r_target")
    fraud_threshold = request.fraud_threshold or FRAUD_THRESHOLD
    if not 0.0 < fraud_threshold < 1.0:
        raise InvalidArgument(f"fraud_threshold must lie in (0, 1), got {fraud_threshold}", "fraud_threshold")
    batch_size = request.batch_size or default_batch_size
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise InvalidArgument(f"batch_size must lie in [1, {MAX_BATCH_SIZE}], got {batch_size}", "batch_size")
    return PowSetup(
        params=_params(request),
        block_hash=request.block_hash,
        block_height=request.block_height,
        public_key=request.public_key,
        r_target=r_target,
        fraud_threshold=fraud_threshold,
        node_id=request.node_id,
        node_count=request.node_count,
        batch_size=batch_size,
    )


def _params(request: pb.PowInitRequest) -> PowParams:
    which = request.WhichOneof("params")
    try:
        if which == "params_name":
            return PowParams.named(request.params_name)
        if which == "model_params":
            return PowParams.from_dict(params_to_dict(request.model_params))
    except ValueError as exc:
        raise InvalidArgument(str(exc), "params") from None
    raise InvalidArgument("set params_name or model_params", "params")


def params_to_dict(message: pb.PowModelParams) -> dict[str, object]:
    """The reference's parameter JSON; unset optional fields become null."""
    values: dict[str, object] = {field.name: getattr(message, field.name) for field in message.DESCRIPTOR.fields}
    for name in ("n_kv_heads", "ffn_dim_multiplier"):
        if not message.HasField(name):
            values[name] = None
    return values
