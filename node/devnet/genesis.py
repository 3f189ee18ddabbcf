"""The genesis of a fresh local network: a rich faucet, and per participant a funded account
and a validator of equal power."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    url: str = ""  # its api node, when the network runs one
    public_key: bytes | None = None  # account key known from block 1 (signed requests verify at once)


def build_genesis(
    chain_id: str, faucet_address: str, participants: list[GenesisParticipant], faucet_public_key: bytes | None = None,
    params_overrides: Mapping[str, Any] | None = None,
) -> Genesis:
    return Genesis(
        chain_id=chain_id,
        genesis_time_ms=int(time.time() * 1000),
        params_profile="devnet",
        params_overrides=dict(params_overrides or {}),
        accounts=(
            GenesisAccount(faucet_address, FAUCET_BALANCE, faucet_public_key),
            *(GenesisAccount(p.address, PARTICIPANT_BALANCE, p.public_key) for p in participants),
        ),
        validators=tuple(
            GenesisValidator(p.name, p.address, p.consensus_public_key, VALIDATOR_POWER, p.url) for p in participants
        ),
        faucet=faucet_address,
    )


def write_genesis(
    path: Path,
    chain_id: str,
    faucet_address: str,
    participants: list[GenesisParticipant],
    faucet_public_key: bytes | None = None,
    params_overrides: Mapping[str, Any] | None = None,
) -> Genesis:
    genesis = build_genesis(chain_id, faucet_address, participants, faucet_public_key, params_overrides)
    genesis.dump(path)
    return genesis
