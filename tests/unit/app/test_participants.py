import pytest

from node.chain.app.models.defaults import DEVNET_MODEL_FINGERPRINT, DEVNET_MODEL_ID
from node.chain.app.queries import QueryError
from node.core.consensus_keys import ConsensusKey
from node.core.errors import TxCode
from node.core.keys import AccountKey
from node.proto.gonka.bank_pb2 import MsgSend
from node.proto.gonka.participants_pb2 import MlNode, MsgRegisterDeveloper, MsgRegisterParticipant

from .harness import ALICE, BOB, CAROL, VALIDATOR_KEYS, Node

HOST_KEY = ConsensusKey.from_seed(b"\x09" * 32)


def register(key: AccountKey, consensus_key: bytes = HOST_KEY.public_key, **fields: object) -> MsgRegisterParticipant:
    values: dict[str, object] = {
        "url": "http://127.0.0.1:9000",
        "models": [DEVNET_MODEL_ID],
        "ml_nodes": [MlNode(node_id="node-0")],
    }
    values.update(fields)
    return MsgRegisterParticipant(creator=key.address, consensus_public_key=consensus_key, **values)  # type: ignore[arg-type]


def fund(node: Node, key: AccountKey) -> None:
    node.run_block([node.sign(ALICE, MsgSend(from_address=ALICE.address, to_address=key.address, amount=10**9))])


def test_genesis_validators_are_registered_hosts(node: Node) -> None:
    hosts = {p["address"]: p for p in node.app.query("participants", {})["participants"]}
    assert set(hosts) == {ALICE.address, BOB.address}
    bob = hosts[BOB.address]
    assert (bob["kind"], bob["consensus_public_key"], bob["models"], bob["url"]) == (
        "PARTICIPANT_KIND_HOST",
        VALIDATOR_KEYS[1].public_key.hex(),
        [DEVNET_MODEL_ID],
        "",
    )
    # The operator sets its url later with its own key.
    update = register(BOB, VALIDATOR_KEYS[1].public_key, url="https://bob.example:8443")
    assert node.run_block([node.sign(BOB, update)]).tx_results[0].code == 0
    assert node.app.query("participant", {"address": BOB.address})["url"] == "https://bob.example:8443"


def test_host_registers_and_updates(node: Node) -> None:
    fund(node, CAROL)
    result = node.run_block([node.sign(CAROL, register(CAROL))]).tx_results[0]
    assert result.code == 0
    assert ("participant_registered", CAROL.address) in [
        (e.type, dict(e.attributes).get("address")) for e in result.events
    ]
    host = node.app.query("participant", {"address": CAROL.address})
    assert host["kind"] == "PARTICIPANT_KIND_HOST"
    assert host["consensus_public_key"] == HOST_KEY.public_key.hex()
    assert host["ml_nodes"] == [{"node_id": "node-0"}]
    assert host["registered_height"] == 2
    update = register(CAROL, url="https://carol.example:8443", ml_nodes=[MlNode(node_id="a"), MlNode(node_id="b")])
    assert node.run_block([node.sign(CAROL, update)]).tx_results[0].code == 0
    updated = node.app.query("participant", {"address": CAROL.address})
    assert (updated["url"], updated["ml_nodes"], updated["registered_height"]) == (
        "https://carol.example:8443",
        [{"node_id": "a"}, {"node_id": "b"}],
        2,
    )


def test_models_must_be_in_the_registry(node: Node) -> None:
    fund(node, CAROL)
    result = node.app.check_tx(node.sign(CAROL, register(CAROL, models=["Qwen/QwQ-32B"])))
    assert (result.code, result.log) == (TxCode.NOT_FOUND, "models not in the registry: ['Qwen/QwQ-32B']")
    assert node.app.query("models", {})["models"] == [
        {
            "id": DEVNET_MODEL_ID,
            "validation_threshold_ppm": 990_000,
            "weight_fingerprint": DEVNET_MODEL_FINGERPRINT,
        }
    ]


def test_consensus_key_is_fixed_and_unique(node: Node) -> None:
    fund(node, CAROL)
    node.run_block([node.sign(CAROL, register(CAROL))])
    other_key = ConsensusKey.from_seed(b"\x0a" * 32).public_key
    assert node.app.check_tx(node.sign(CAROL, register(CAROL, other_key))).code == TxCode.CONFLICT
    # A genesis host cannot change its key, nor take CAROL's or another genesis host's key.
    assert node.app.check_tx(node.sign(ALICE, register(ALICE))).code == TxCode.CONFLICT
    assert node.app.check_tx(node.sign(ALICE, register(ALICE, VALIDATOR_KEYS[1].public_key))).code == TxCode.CONFLICT
    # A genesis validator's operator may re-register with its own key.
    assert node.app.check_tx(node.sign(ALICE, register(ALICE, VALIDATOR_KEYS[0].public_key))).code == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"url": "ftp://x"}, TxCode.INVALID_REQUEST),
        ({"url": "http://"}, TxCode.INVALID_REQUEST),
        ({"url": "http://x/" + "a" * 300}, TxCode.INVALID_REQUEST),
        ({"models": []}, TxCode.INVALID_REQUEST),
        ({"models": ["m", "m"]}, TxCode.INVALID_REQUEST),
        ({"models": [""]}, TxCode.INVALID_REQUEST),
        ({"ml_nodes": [MlNode(node_id="a"), MlNode(node_id="a")]}, TxCode.INVALID_REQUEST),
        ({"consensus_public_key": b"\x00" * 32}, TxCode.INVALID_PUBKEY),
        ({"consensus_public_key": b"\x01" * 31}, TxCode.INVALID_PUBKEY),
    ],
)
def test_invalid_host_registration(node: Node, fields: dict[str, object], code: TxCode) -> None:
    message = register(BOB, VALIDATOR_KEYS[1].public_key)
    for name, value in fields.items():
        message.ClearField(name)
        if isinstance(value, list):
            getattr(message, name).extend(value)
        else:
            setattr(message, name, value)
    assert node.app.check_tx(node.sign(BOB, message)).code == code


def test_unfunded_developer_registration(node: Node) -> None:
    developer = CAROL
    message = MsgRegisterDeveloper(creator=BOB.address, public_key=developer.public_key)
    result = node.run_block([node.sign(BOB, message)]).tx_results[0]
    assert result.code == 0
    account = node.account(developer)
    assert account["public_key"] == developer.public_key.hex()
    assert node.balance(developer) == 0
    assert node.app.query("participant", {"address": developer.address})["kind"] == "PARTICIPANT_KIND_DEVELOPER"
    # Registered twice: refused, nothing changes.
    assert node.app.check_tx(node.sign(BOB, message)).code == TxCode.CONFLICT
    # Once funded, the developer signs its own txs with the stored key.
    node.run_block([node.sign(ALICE, MsgSend(from_address=ALICE.address, to_address=developer.address, amount=5))])
    back = MsgSend(from_address=developer.address, to_address=ALICE.address, amount=5)
    assert node.run_block([node.sign(developer, back)]).tx_results[0].code == 0


def test_developer_registration_sets_key_of_existing_keyless_account(node: Node) -> None:
    node.run_block([node.sign(ALICE, MsgSend(from_address=ALICE.address, to_address=CAROL.address, amount=5))])
    assert node.account(CAROL)["public_key"] == ""
    node.run_block([node.sign(BOB, MsgRegisterDeveloper(creator=BOB.address, public_key=CAROL.public_key))])
    assert node.account(CAROL)["public_key"] == CAROL.public_key.hex()
    assert node.account(CAROL)["account_number"] == 2


def test_invalid_developer_registration(node: Node) -> None:
    bad = MsgRegisterDeveloper(creator=BOB.address, public_key=b"\x02" + b"\x00" * 32)
    assert node.app.check_tx(node.sign(BOB, bad)).code == TxCode.INVALID_PUBKEY
    unsigned_creator = MsgRegisterDeveloper(creator=ALICE.address, public_key=CAROL.public_key)
    assert node.app.check_tx(node.sign(BOB, unsigned_creator)).code == TxCode.UNAUTHORIZED


def test_participant_query_not_found(node: Node) -> None:
    with pytest.raises(QueryError) as error:
        node.app.query("participant", {"address": CAROL.address})
    assert error.value.code == "not_found"
