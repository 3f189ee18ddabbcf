"""Agreement and liveness of four HeightStateMachines on a hostile simulated network (sim.py).

n4f1: one Byzantine validator (power 1/4 < 1/3) double-signs and proposes a different
block to each node, while the network reorders, drops and duplicates and timers fire at
random. No two honest nodes may decide differently, and nobody may decide an invalid
block. n4f2 (power 1/2) shows that the same adversary and checks do find forks once the
1/3 bound is broken, so the n4f1 result is not vacuous.
"""

import random

from .sim import Faults, Network, network

RUNS = 200
MAX_STEPS = 600


def _hostile(seed: int, n_byzantine: int) -> Network:
    rng = random.Random(seed)
    faults = Faults(timer_weight=rng.choice([0.01, 0.05, 0.2]), drop=0.1, duplicate=0.1)
    net = network(seed, n_byzantine, faults)
    net.run(MAX_STEPS)
    return net


def _decided_hashes(net: Network) -> set[bytes]:
    return {d.block_hash for d in net.decisions.values()}


def test_n4f1_no_two_honest_nodes_decide_differently():
    decided_all = decided_late = equivocating = 0
    for seed in range(RUNS):
        net = _hostile(seed, n_byzantine=1)
        assert len(_decided_hashes(net)) <= 1, f"seed {seed}: fork {net.decisions}"
        assert all(net.blocks[h] for h in _decided_hashes(net)), f"seed {seed}: invalid block decided"
        for decision in net.decisions.values():  # the certificate really is a quorum of this round
            assert len({v.validator for v in decision.precommits}) >= 3
            assert {(v.round, v.block_hash) for v in decision.precommits} == {(decision.round, decision.block_hash)}
        decided_all += len(net.decisions) == len(net.honest)
        decided_late += any(d.round > 0 for d in net.decisions.values())
        equivocating += net.equivocations > 0
    # the runs must actually exercise decisions after failed rounds and conflicting votes
    assert decided_all >= RUNS // 4 and decided_late >= RUNS // 10 and equivocating >= RUNS // 2


def test_n4f2_the_checks_do_catch_forks_beyond_one_third():
    assert any(len(_decided_hashes(_hostile(seed, n_byzantine=2))) > 1 for seed in range(RUNS))


def test_n4f0_synchronous_network_everyone_decides_the_round0_proposal():
    for seed in range(RUNS):
        net = network(seed, n_byzantine=0, faults=Faults(synchronous_timeouts=True))
        net.run(MAX_STEPS)
        proposer = net.validators.proposer_for_round(0).address
        assert set(net.decisions) == set(net.honest), f"seed {seed}: {len(net.decisions)} decided"
        assert {(d.round, d.block_hash) for d in net.decisions.values()} == {(0, net.new_block(f"{proposer.hex()}/0"))}
        assert net.equivocations == 0
