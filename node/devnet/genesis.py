"""The genesis of a fresh local network: a rich faucet, and per participant a funded account
and a validator of equal power."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from node.chain.app.genesis import Genesis, GenesisAccount, GenesisValidator

GNK = 10**9  # ngonka per GNK
FAUCET_BALANCE = 10**9 * GNK
PARTICIPANT_BALANCE = 10**6 * GNK
VALIDATOR_POWER = 10  # testermint's per-participant weight; equal powers, any 1/3 can fail


@dataclass(frozen=True)
class GenesisParticipant:
    name: str
    address: str  # the participant's account (validator operator)
    consensus_public_key: bytes


def build_genesis(chain_id: str, faucet_address: str, participants: list[GenesisParticipant]) -> Genesis:
    return Genesis(
        chain_id=chain_id,
        genesis_time_ms=int(time.time() * 1000),
        params_profile="devnet",
        accounts=(
            GenesisAccount(faucet_address, FAUCET_BALANCE),
            *(GenesisAccount(p.address, PARTICIPANT_BALANCE) for p in participants),
        ),
        validators=tuple(
            GenesisValidator(p.name, p.address, p.consensus_public_key, VALIDATOR_POWER) for p in participants
        ),
        faucet=faucet_address,
    )


def write_genesis(path: Path, chain_id: str, faucet_address: str, participants: list[GenesisParticipant]) -> Genesis:
    genesis = build_genesis(chain_id, faucet_address, participants)
    genesis.dump(path)
    return genesis
