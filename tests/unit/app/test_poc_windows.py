"""PoC messages as the chain runs them: windows on the mainnet profile (reference §1 worked example)
and the first PoC end to end (everyone accepted, weights capped, validators switched at H+2)."""

from pathlib import Path

from google.protobuf.message import Message

from node.chain.app.abci import FinalizeResult, ValidatorUpdate
from node.chain.app.genesis import Genesis, GenesisAccount, GenesisValidator
from node.core.consensus_keys import ConsensusKey
from node.core.errors import TxCode
from node.core.keys import AccountKey

from .economy_helpers import batch_msg, events, seed_msg, vote_msg
from .harness import ALICE, BOB, CHAIN_ID, GNK, Node

KEYS = {key.address: ConsensusKey.from_seed(bytes([i + 1]) * 32).public_key for i, key in enumerate((ALICE, BOB))}


def mainnet_node(tmp_path: Path) -> Node:
    genesis = Genesis(
        chain_id=CHAIN_ID,
        genesis_time_ms=0,
        params_profile="mainnet",
        accounts=tuple(GenesisAccount(key.address, 100 * GNK, key.public_key) for key in (ALICE, BOB)),
        validators=tuple(GenesisValidator(f"h{i}", a, k, 10) for i, (a, k) in enumerate(KEYS.items())),
    )
    return Node(tmp_path / "mainnet.db", genesis)


def at(node: Node, height: int, key: AccountKey, message: Message) -> FinalizeResult:
    """Run up to `height`, with `message` alone in the block at `height`."""
    node.run_blocks_until(height - 1)
    return node.run_block([node.sign(key, message)])


def code(result: FinalizeResult) -> int:
    return result.tx_results[0].code


def test_mainnet_windows_follow_the_worked_example(tmp_path: Path) -> None:
    node = mainnet_node(tmp_path)
    P = 300  # the first PoC: 17280 − 16980
    assert code(at(node, P - 1, ALICE, seed_msg(ALICE, 1))) == TxCode.INVALID_REQUEST  # no epoch 1 yet
    assert code(at(node, P, ALICE, batch_msg(ALICE, P, 5, "early"))) == TxCode.INVALID_REQUEST  # opens at P+1
    assert code(at(node, P + 1, ALICE, seed_msg(ALICE, 1))) == 0
    assert code(at(node, P + 2, BOB, seed_msg(BOB, 1))) == 0
    assert code(at(node, P + 3, ALICE, batch_msg(ALICE, P, 5, "first"))) == 0
    assert code(at(node, P + 64, ALICE, vote_msg(ALICE, BOB, P))) == TxCode.INVALID_REQUEST  # opens at V+1
    assert code(at(node, P + 65, BOB, batch_msg(BOB, P, 7, "last"))) == 0  # P + stage + exchange
    assert code(at(node, P + 66, ALICE, batch_msg(ALICE, P, 5, "late"))) == TxCode.INVALID_REQUEST
    assert code(at(node, P + 67, ALICE, vote_msg(ALICE, BOB, P))) == 0  # V = P+65, window V+1 .. V+20
    formation = at(node, P + 85, BOB, vote_msg(BOB, ALICE, P))
    assert code(formation) == 0  # the window's last height; the group forms at the end of that block
    # First PoC: everyone accepted; 2 participants cap at 0.5: [5, 7] -> [5, 5].
    assert events(formation, "epoch_group_formed") == [
        {"epoch_index": "1", "members": "2", "total_weight": "10", "carried_over": "False"}
    ]
    assert code(at(node, P + 86, ALICE, vote_msg(ALICE, ALICE, P))) == TxCode.INVALID_REQUEST
    assert code(at(node, P + 87, ALICE, seed_msg(ALICE, 1, seed=9))) == TxCode.INVALID_REQUEST  # closed at E
    before_switch = node.run_blocks_until(P + 204)
    assert not [r for r in before_switch if r.validator_updates]
    switch = node.run_block()
    assert node.height == P + 205
    assert [int(e["height"]) for e in events(switch, "validators_switched")] == [P + 205]
    assert sorted(switch.validator_updates, key=lambda u: u.public_key) == sorted(
        (ValidatorUpdate(key, 5) for key in KEYS.values()), key=lambda u: u.public_key
    )
    group = node.app.query("epoch_group", {})
    assert (group["epoch_index"], group["formed_height"], group["effective_height"]) == (1, P + 85, P + 205)
    assert group["seed_commits"] == sorted(KEYS)
    assert node.app.query("epoch", {})["effective_epoch_index"] == 1
