"""Host and developer registration.

Hosts sign MsgRegisterParticipant themselves (their account must exist, i.e.
be funded first). Re-sending it updates url, models and ML nodes; the
consensus key is fixed once registered and may belong to one host only
(genesis validators are registered hosts from block 1, so their keys are
taken too). Every model listed must be in the model registry.

Developers need no funds: any existing account, typically a host's api node
acting for a new user, sends MsgRegisterDeveloper with the user's public key.
That creates the user's account with its key set (so the user's signed
inference requests can be checked before its first tx) and registers it as a
developer. It is the reference's MsgSubmitNewUnfundedParticipant.
"""

from __future__ import annotations

from node.chain.app.abci import Event
from node.chain.app.bank.state import create_account, get_account, set_account
from node.chain.app.bank.transition import check_address
from node.chain.app.context import BlockContext
from node.chain.app.models.state import get_model
from node.chain.app.participants.rules import MAX_ML_NODES, MAX_MODELS, names_problem, url_problem
from node.chain.app.participants.state import consensus_key_owner, get_participant, set_participant
from node.chain.app.router import Route
from node.chain.store.overlay import Overlay
from node.core.consensus_keys import validate_consensus_public_key
from node.core.errors import InvalidKey, TxCode, TxError
from node.core.keys import address_from_public_key, validate_public_key
from node.proto.gonka.participants_pb2 import (
    MsgRegisterDeveloper,
    MsgRegisterParticipant,
    Participant,
    ParticipantKind,
)

def validate_register_participant(msg: MsgRegisterParticipant) -> None:
    check_address("creator", msg.creator)
    problem = (
        url_problem(msg.url)
        or names_problem("models", list(msg.models), 1, MAX_MODELS)
        or names_problem("ml_nodes", [node.node_id for node in msg.ml_nodes], 0, MAX_ML_NODES)
    )
    if problem:
        raise TxError(TxCode.INVALID_REQUEST, problem)
    try:
        validate_consensus_public_key(msg.consensus_public_key)
    except InvalidKey as exc:
        raise TxError(TxCode.INVALID_PUBKEY, f"consensus_public_key: {exc}") from None


def execute_register_participant(ctx: BlockContext, kv: Overlay, msg: MsgRegisterParticipant) -> list[Event]:
    unknown = [model for model in msg.models if get_model(kv, model) is None]
    if unknown:
        raise TxError(TxCode.NOT_FOUND, f"models not in the registry: {unknown}")
    key = msg.consensus_public_key
    existing = get_participant(kv, msg.creator)
    if existing is not None and existing.consensus_public_key and existing.consensus_public_key != key:
        raise TxError(TxCode.CONFLICT, "a registered host cannot change its consensus key")
    owner = consensus_key_owner(kv, key)
    if owner is not None and owner != msg.creator:
        raise TxError(TxCode.CONFLICT, "consensus key is registered to another participant")
    set_participant(
        kv,
        Participant(
            address=msg.creator,
            kind=ParticipantKind.PARTICIPANT_KIND_HOST,
            url=msg.url,
            consensus_public_key=key,
            models=msg.models,
            ml_nodes=msg.ml_nodes,
            registered_height=ctx.height if existing is None else existing.registered_height,
        ),
    )
    return [
        Event.of("participant_registered", address=msg.creator, kind="host", url=msg.url, models=",".join(msg.models))
    ]


def validate_register_developer(msg: MsgRegisterDeveloper) -> None:
    check_address("creator", msg.creator)
    try:
        validate_public_key(msg.public_key)
    except InvalidKey as exc:
        raise TxError(TxCode.INVALID_PUBKEY, f"public_key: {exc}") from None


def execute_register_developer(ctx: BlockContext, kv: Overlay, msg: MsgRegisterDeveloper) -> list[Event]:
    address = address_from_public_key(msg.public_key)
    if get_participant(kv, address) is not None:
        raise TxError(TxCode.CONFLICT, f"{address} is already registered")
    account = get_account(kv, address)
    if account is None:
        create_account(kv, address, msg.public_key)
    elif not account.public_key:
        account.public_key = msg.public_key
        set_account(kv, account)
    set_participant(
        kv, Participant(address=address, kind=ParticipantKind.PARTICIPANT_KIND_DEVELOPER, registered_height=ctx.height)
    )
    return [Event.of("developer_registered", address=address, creator=msg.creator)]


ROUTES = (
    Route(
        MsgRegisterParticipant, "participants", "creator", validate_register_participant, execute_register_participant
    ),
    Route(MsgRegisterDeveloper, "participants", "creator", validate_register_developer, execute_register_developer),
)
