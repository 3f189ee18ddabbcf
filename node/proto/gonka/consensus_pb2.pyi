from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VoteType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VOTE_TYPE_UNKNOWN: _ClassVar[VoteType]
    PREVOTE: _ClassVar[VoteType]
    PRECOMMIT: _ClassVar[VoteType]
VOTE_TYPE_UNKNOWN: VoteType
PREVOTE: VoteType
PRECOMMIT: VoteType

class BlockID(_message.Message):
    __slots__ = ("hash",)
    HASH_FIELD_NUMBER: _ClassVar[int]
    hash: bytes
    def __init__(self, hash: _Optional[bytes] = ...) -> None: ...

class Header(_message.Message):
    __slots__ = ("chain_id", "height", "time_ms", "last_block_hash", "last_commit_hash", "data_hash", "validators_hash", "next_validators_hash", "app_hash", "last_results_hash", "evidence_hash", "proposer_address")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    LAST_BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    LAST_COMMIT_HASH_FIELD_NUMBER: _ClassVar[int]
    DATA_HASH_FIELD_NUMBER: _ClassVar[int]
    VALIDATORS_HASH_FIELD_NUMBER: _ClassVar[int]
    NEXT_VALIDATORS_HASH_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    LAST_RESULTS_HASH_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_HASH_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    height: int
    time_ms: int
    last_block_hash: bytes
    last_commit_hash: bytes
    data_hash: bytes
    validators_hash: bytes
    next_validators_hash: bytes
    app_hash: bytes
    last_results_hash: bytes
    evidence_hash: bytes
    proposer_address: bytes
    def __init__(self, chain_id: _Optional[str] = ..., height: _Optional[int] = ..., time_ms: _Optional[int] = ..., last_block_hash: _Optional[bytes] = ..., last_commit_hash: _Optional[bytes] = ..., data_hash: _Optional[bytes] = ..., validators_hash: _Optional[bytes] = ..., next_validators_hash: _Optional[bytes] = ..., app_hash: _Optional[bytes] = ..., last_results_hash: _Optional[bytes] = ..., evidence_hash: _Optional[bytes] = ..., proposer_address: _Optional[bytes] = ...) -> None: ...

class Vote(_message.Message):
    __slots__ = ("type", "height", "round", "block_hash", "validator_address", "timestamp_ms", "signature")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    type: VoteType
    height: int
    round: int
    block_hash: bytes
    validator_address: bytes
    timestamp_ms: int
    signature: bytes
    def __init__(self, type: _Optional[_Union[VoteType, str]] = ..., height: _Optional[int] = ..., round: _Optional[int] = ..., block_hash: _Optional[bytes] = ..., validator_address: _Optional[bytes] = ..., timestamp_ms: _Optional[int] = ..., signature: _Optional[bytes] = ...) -> None: ...

class Commit(_message.Message):
    __slots__ = ("height", "round", "block_hash", "precommits")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    PRECOMMITS_FIELD_NUMBER: _ClassVar[int]
    height: int
    round: int
    block_hash: bytes
    precommits: _containers.RepeatedCompositeFieldContainer[Vote]
    def __init__(self, height: _Optional[int] = ..., round: _Optional[int] = ..., block_hash: _Optional[bytes] = ..., precommits: _Optional[_Iterable[_Union[Vote, _Mapping]]] = ...) -> None: ...

class DuplicateVoteEvidence(_message.Message):
    __slots__ = ("vote_a", "vote_b")
    VOTE_A_FIELD_NUMBER: _ClassVar[int]
    VOTE_B_FIELD_NUMBER: _ClassVar[int]
    vote_a: Vote
    vote_b: Vote
    def __init__(self, vote_a: _Optional[_Union[Vote, _Mapping]] = ..., vote_b: _Optional[_Union[Vote, _Mapping]] = ...) -> None: ...

class Block(_message.Message):
    __slots__ = ("header", "txs", "evidence", "last_commit")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    TXS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    LAST_COMMIT_FIELD_NUMBER: _ClassVar[int]
    header: Header
    txs: _containers.RepeatedScalarFieldContainer[bytes]
    evidence: _containers.RepeatedCompositeFieldContainer[DuplicateVoteEvidence]
    last_commit: Commit
    def __init__(self, header: _Optional[_Union[Header, _Mapping]] = ..., txs: _Optional[_Iterable[bytes]] = ..., evidence: _Optional[_Iterable[_Union[DuplicateVoteEvidence, _Mapping]]] = ..., last_commit: _Optional[_Union[Commit, _Mapping]] = ...) -> None: ...

class Proposal(_message.Message):
    __slots__ = ("height", "round", "pol_round", "block_hash", "timestamp_ms", "proposer_address", "signature")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    ROUND_FIELD_NUMBER: _ClassVar[int]
    POL_ROUND_FIELD_NUMBER: _ClassVar[int]
    BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_MS_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    height: int
    round: int
    pol_round: int
    block_hash: bytes
    timestamp_ms: int
    proposer_address: bytes
    signature: bytes
    def __init__(self, height: _Optional[int] = ..., round: _Optional[int] = ..., pol_round: _Optional[int] = ..., block_hash: _Optional[bytes] = ..., timestamp_ms: _Optional[int] = ..., proposer_address: _Optional[bytes] = ..., signature: _Optional[bytes] = ...) -> None: ...

class Envelope(_message.Message):
    __slots__ = ("sender", "sender_height", "proposal", "vote", "txs", "evidence")
    SENDER_FIELD_NUMBER: _ClassVar[int]
    SENDER_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    VOTE_FIELD_NUMBER: _ClassVar[int]
    TXS_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_FIELD_NUMBER: _ClassVar[int]
    sender: bytes
    sender_height: int
    proposal: ProposalMessage
    vote: Vote
    txs: TxBatch
    evidence: DuplicateVoteEvidence
    def __init__(self, sender: _Optional[bytes] = ..., sender_height: _Optional[int] = ..., proposal: _Optional[_Union[ProposalMessage, _Mapping]] = ..., vote: _Optional[_Union[Vote, _Mapping]] = ..., txs: _Optional[_Union[TxBatch, _Mapping]] = ..., evidence: _Optional[_Union[DuplicateVoteEvidence, _Mapping]] = ...) -> None: ...

class ProposalMessage(_message.Message):
    __slots__ = ("proposal", "block")
    PROPOSAL_FIELD_NUMBER: _ClassVar[int]
    BLOCK_FIELD_NUMBER: _ClassVar[int]
    proposal: Proposal
    block: Block
    def __init__(self, proposal: _Optional[_Union[Proposal, _Mapping]] = ..., block: _Optional[_Union[Block, _Mapping]] = ...) -> None: ...

class TxBatch(_message.Message):
    __slots__ = ("txs",)
    TXS_FIELD_NUMBER: _ClassVar[int]
    txs: _containers.RepeatedScalarFieldContainer[bytes]
    def __init__(self, txs: _Optional[_Iterable[bytes]] = ...) -> None: ...

class Ack(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class BlockRequest(_message.Message):
    __slots__ = ("height",)
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    height: int
    def __init__(self, height: _Optional[int] = ...) -> None: ...

class BlockResponse(_message.Message):
    __slots__ = ("found", "block", "commit")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    BLOCK_FIELD_NUMBER: _ClassVar[int]
    COMMIT_FIELD_NUMBER: _ClassVar[int]
    found: bool
    block: Block
    commit: Commit
    def __init__(self, found: _Optional[bool] = ..., block: _Optional[_Union[Block, _Mapping]] = ..., commit: _Optional[_Union[Commit, _Mapping]] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StatusResponse(_message.Message):
    __slots__ = ("address", "height", "base_height")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    BASE_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    address: bytes
    height: int
    base_height: int
    def __init__(self, address: _Optional[bytes] = ..., height: _Optional[int] = ..., base_height: _Optional[int] = ...) -> None: ...
