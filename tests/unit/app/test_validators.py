from node.chain.app.abci import Misbehavior, ValidatorUpdate
from node.core.consensus_keys import consensus_address

from .harness import ALICE, VALIDATOR_KEYS, Node

GUILTY = VALIDATOR_KEYS[0].public_key


def duplicate_vote(public_key: bytes, height: int = 1) -> Misbehavior:
    return Misbehavior("duplicate_vote", consensus_address(public_key), height)


def test_genesis_validators_query(node: Node) -> None:
    validators = node.app.query("validators", {})["validators"]
    by_key = {v["consensus_public_key"]: v for v in validators}
    assert set(by_key) == {key.public_key.hex() for key in VALIDATOR_KEYS}
    first = by_key[GUILTY.hex()]
    assert (first["name"], first["operator_address"], first["power"], first["jailed"]) == (
        "val0",
        ALICE.address,
        10,
        False,
    )
    assert first["consensus_address"] == consensus_address(GUILTY).hex()


def test_duplicate_vote_jails_the_validator(node: Node) -> None:
    node.run_block()
    result = node.run_block(misbehavior=[duplicate_vote(GUILTY, height=1)])
    assert result.validator_updates == (ValidatorUpdate(GUILTY, 0),)
    [event] = [e for e in result.events if e.type == "validator_jailed"]
    attrs = dict(event.attributes)
    assert (attrs["operator_address"], attrs["reason"], attrs["infraction_height"], attrs["height"]) == (
        ALICE.address,
        "duplicate_vote",
        "1",
        "2",
    )
    jailed = {v["name"]: v["jailed"] for v in node.app.query("validators", {})["validators"]}
    assert jailed == {"val0": True, "val1": False}


def test_repeated_or_unknown_evidence_changes_nothing(node: Node) -> None:
    first = node.run_block(misbehavior=[duplicate_vote(GUILTY), duplicate_vote(GUILTY)])
    assert first.validator_updates == (ValidatorUpdate(GUILTY, 0),)  # one update per validator
    again = node.run_block(misbehavior=[duplicate_vote(GUILTY)])
    stranger = Misbehavior("duplicate_vote", b"\x42" * 20, 1)
    unknown = node.run_block(misbehavior=[stranger])
    for result in (again, unknown):
        assert result.validator_updates == ()
        assert not [e for e in result.events if e.type == "validator_jailed"]
