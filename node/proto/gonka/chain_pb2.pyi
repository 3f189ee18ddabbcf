from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Attribute(_message.Message):
    __slots__ = ("key", "value")
    KEY_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    key: str
    value: str
    def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...

class Event(_message.Message):
    __slots__ = ("type", "attributes")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    ATTRIBUTES_FIELD_NUMBER: _ClassVar[int]
    type: str
    attributes: _containers.RepeatedCompositeFieldContainer[Attribute]
    def __init__(self, type: _Optional[str] = ..., attributes: _Optional[_Iterable[_Union[Attribute, _Mapping]]] = ...) -> None: ...

class BroadcastTxRequest(_message.Message):
    __slots__ = ("tx", "wait_commit", "timeout_ms")
    TX_FIELD_NUMBER: _ClassVar[int]
    WAIT_COMMIT_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    tx: bytes
    wait_commit: bool
    timeout_ms: int
    def __init__(self, tx: _Optional[bytes] = ..., wait_commit: _Optional[bool] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class BroadcastTxResponse(_message.Message):
    __slots__ = ("hash", "check_code", "check_log", "committed", "height", "code", "log", "events")
    HASH_FIELD_NUMBER: _ClassVar[int]
    CHECK_CODE_FIELD_NUMBER: _ClassVar[int]
    CHECK_LOG_FIELD_NUMBER: _ClassVar[int]
    COMMITTED_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    hash: str
    check_code: int
    check_log: str
    committed: bool
    height: int
    code: int
    log: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, hash: _Optional[str] = ..., check_code: _Optional[int] = ..., check_log: _Optional[str] = ..., committed: _Optional[bool] = ..., height: _Optional[int] = ..., code: _Optional[int] = ..., log: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class QueryRequest(_message.Message):
    __slots__ = ("path", "params_json")
    PATH_FIELD_NUMBER: _ClassVar[int]
    PARAMS_JSON_FIELD_NUMBER: _ClassVar[int]
    path: str
    params_json: str
    def __init__(self, path: _Optional[str] = ..., params_json: _Optional[str] = ...) -> None: ...

class QueryResponse(_message.Message):
    __slots__ = ("json",)
    JSON_FIELD_NUMBER: _ClassVar[int]
    json: str
    def __init__(self, json: _Optional[str] = ...) -> None: ...

class GetBlockRequest(_message.Message):
    __slots__ = ("height",)
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    height: int
    def __init__(self, height: _Optional[int] = ...) -> None: ...

class TxResult(_message.Message):
    __slots__ = ("hash", "code", "log", "events")
    HASH_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    hash: str
    code: int
    log: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    def __init__(self, hash: _Optional[str] = ..., code: _Optional[int] = ..., log: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ...) -> None: ...

class BlockInfo(_message.Message):
    __slots__ = ("height", "hash", "app_hash", "time_ms", "proposer_address", "txs", "tx_results", "events", "block", "evidence_count")
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    TIME_MS_FIELD_NUMBER: _ClassVar[int]
    PROPOSER_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    TXS_FIELD_NUMBER: _ClassVar[int]
    TX_RESULTS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    BLOCK_FIELD_NUMBER: _ClassVar[int]
    EVIDENCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    height: int
    hash: bytes
    app_hash: bytes
    time_ms: int
    proposer_address: bytes
    txs: _containers.RepeatedScalarFieldContainer[bytes]
    tx_results: _containers.RepeatedCompositeFieldContainer[TxResult]
    events: _containers.RepeatedCompositeFieldContainer[Event]
    block: bytes
    evidence_count: int
    def __init__(self, height: _Optional[int] = ..., hash: _Optional[bytes] = ..., app_hash: _Optional[bytes] = ..., time_ms: _Optional[int] = ..., proposer_address: _Optional[bytes] = ..., txs: _Optional[_Iterable[bytes]] = ..., tx_results: _Optional[_Iterable[_Union[TxResult, _Mapping]]] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., block: _Optional[bytes] = ..., evidence_count: _Optional[int] = ...) -> None: ...

class GetTxRequest(_message.Message):
    __slots__ = ("hash",)
    HASH_FIELD_NUMBER: _ClassVar[int]
    hash: str
    def __init__(self, hash: _Optional[str] = ...) -> None: ...

class TxInfo(_message.Message):
    __slots__ = ("found", "hash", "height", "index", "code", "log", "events", "tx")
    FOUND_FIELD_NUMBER: _ClassVar[int]
    HASH_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    INDEX_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    LOG_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    TX_FIELD_NUMBER: _ClassVar[int]
    found: bool
    hash: str
    height: int
    index: int
    code: int
    log: str
    events: _containers.RepeatedCompositeFieldContainer[Event]
    tx: bytes
    def __init__(self, found: _Optional[bool] = ..., hash: _Optional[str] = ..., height: _Optional[int] = ..., index: _Optional[int] = ..., code: _Optional[int] = ..., log: _Optional[str] = ..., events: _Optional[_Iterable[_Union[Event, _Mapping]]] = ..., tx: _Optional[bytes] = ...) -> None: ...

class StatusRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class NodeStatus(_message.Message):
    __slots__ = ("chain_id", "name", "height", "latest_block_hash", "app_hash", "catching_up", "validator_address", "peers_connected", "mempool_size", "latest_block_time_ms")
    CHAIN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    HEIGHT_FIELD_NUMBER: _ClassVar[int]
    LATEST_BLOCK_HASH_FIELD_NUMBER: _ClassVar[int]
    APP_HASH_FIELD_NUMBER: _ClassVar[int]
    CATCHING_UP_FIELD_NUMBER: _ClassVar[int]
    VALIDATOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    PEERS_CONNECTED_FIELD_NUMBER: _ClassVar[int]
    MEMPOOL_SIZE_FIELD_NUMBER: _ClassVar[int]
    LATEST_BLOCK_TIME_MS_FIELD_NUMBER: _ClassVar[int]
    chain_id: str
    name: str
    height: int
    latest_block_hash: bytes
    app_hash: bytes
    catching_up: bool
    validator_address: bytes
    peers_connected: int
    mempool_size: int
    latest_block_time_ms: int
    def __init__(self, chain_id: _Optional[str] = ..., name: _Optional[str] = ..., height: _Optional[int] = ..., latest_block_hash: _Optional[bytes] = ..., app_hash: _Optional[bytes] = ..., catching_up: _Optional[bool] = ..., validator_address: _Optional[bytes] = ..., peers_connected: _Optional[int] = ..., mempool_size: _Optional[int] = ..., latest_block_time_ms: _Optional[int] = ...) -> None: ...

class StreamBlocksRequest(_message.Message):
    __slots__ = ("from_height",)
    FROM_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    from_height: int
    def __init__(self, from_height: _Optional[int] = ...) -> None: ...
