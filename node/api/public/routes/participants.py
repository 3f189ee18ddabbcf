"""Participants: developer registration (POST /v1/participants), the registry, and an epoch's
active participants in the shape the public gonka-openai SDK reads.

POST /v1/participants {pub_key, address?} is the reference's unfunded-participant flow
(`inferenced create-client`): this node sends MsgRegisterDeveloper for the new developer, which
creates its account with the public key (so its signed requests can be checked) and a zero
balance. Funding is the developer's business (the CLI's faucet on a devnet). Hosts register
themselves with MsgRegisterParticipant, signed by their own account.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict

from node.api.public.node import PublicNode
from node.core.errors import InvalidKey, TxCode
from node.core.keys import PUBLIC_KEY_BYTES, address_from_public_key
from node.core.tx import register_message
from node.proto.gonka.participants_pb2 import MsgRegisterDeveloper

register_message(MsgRegisterDeveloper)

router = APIRouter()


class DeveloperRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pub_key: str  # 33-byte compressed secp256k1, base64 (as the reference CLI sends it) or hex
    address: str | None = None  # if given, must be the key's address


def _public_key(text: str) -> bytes:
    text = text.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 2 * PUBLIC_KEY_BYTES else base64.b64decode(text, validate=True)
        address_from_public_key(raw)  # validates the key
    except (ValueError, binascii.Error, InvalidKey) as error:
        raise HTTPException(400, f"pub_key must be a compressed secp256k1 key in base64 or hex: {error}") from None
    return raw


def _node(request: Request) -> PublicNode:
    return request.app.state.node


@router.post("/v1/participants")
async def register_developer(registration: DeveloperRegistration, request: Request) -> dict[str, Any]:
    node = _node(request)
    public_key = _public_key(registration.pub_key)
    address = address_from_public_key(public_key)
    if registration.address is not None and registration.address != address:
        raise HTTPException(400, f"address {registration.address} is not the address of pub_key ({address})")
    if await node.chain.participant(address) is not None:
        raise HTTPException(409, f"{address} is already registered")
    result = await node.ctx.tx.send([MsgRegisterDeveloper(creator=node.ctx.address, public_key=public_key)], wait=True)
    code = result.check_code or result.code
    if code == TxCode.CONFLICT:
        raise HTTPException(409, f"{address} is already registered")
    if not result.ok or not result.committed:
        raise HTTPException(502, f"the registration tx failed: {result.check_log or result.log or 'not committed'}")
    return {
        "address": address,
        "pub_key": base64.b64encode(public_key).decode(),
        "tx_hash": result.hash,
        "height": result.height,
    }


@router.get("/v1/participants")
async def participants(request: Request) -> dict[str, Any]:
    return await _node(request).chain.link.query("participants")


@router.get("/v1/participants/{address}")
async def participant(address: str, request: Request) -> dict[str, Any]:
    record = await _node(request).chain.participant(address)
    if record is None:
        raise HTTPException(404, f"{address} is not a registered participant")
    return record


@router.get("/v1/epochs/{epoch}/participants")
async def epoch_participants(epoch: str, request: Request) -> dict[str, Any]:
    """`epoch` is a number or `current` (the effective epoch)."""
    node = _node(request)
    if epoch != "current" and not epoch.isdigit():
        raise HTTPException(400, f"epoch must be a number or 'current', got {epoch!r}")
    group = await node.chain.link.query("epoch_group", **({} if epoch == "current" else {"epoch": int(epoch)}))
    members = group["members"]
    records = await asyncio.gather(*(node.chain.participant(m["address"]) for m in members))
    head = await node.chain.head()
    return {
        "active_participants": {
            "epoch_id": group["epoch_index"],
            "epoch_group_id": group["epoch_index"],
            "poc_start_block_height": group["poc_start_block_height"],
            "effective_block_height": group["effective_height"],
            "created_at_block_height": group["formed_height"],
            "participants": [
                {
                    "index": member["address"],
                    "validator_key": base64.b64encode(bytes.fromhex(member["consensus_public_key"])).decode(),
                    "weight": member["weight"],
                    "poc_weight": member["poc_weight"],
                    "reputation": member["reputation"],
                    "models": member["models"],
                    "inference_url": (record or {}).get("url", ""),
                }
                for member, record in zip(members, records, strict=True)
            ],
        },
        # Punished members keep their seat with weight 0; clients must not route to them.
        "excluded_participants": [{"address": m["address"], "reason": "weight 0"} for m in members if not m["weight"]],
        "block_height": head.height,
    }
