from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ParticipantKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PARTICIPANT_KIND_UNSPECIFIED: _ClassVar[ParticipantKind]
    PARTICIPANT_KIND_HOST: _ClassVar[ParticipantKind]
    PARTICIPANT_KIND_DEVELOPER: _ClassVar[ParticipantKind]
PARTICIPANT_KIND_UNSPECIFIED: ParticipantKind
PARTICIPANT_KIND_HOST: ParticipantKind
PARTICIPANT_KIND_DEVELOPER: ParticipantKind

class MlNode(_message.Message):
    __slots__ = ("node_id",)
    NODE_ID_FIELD_NUMBER: _ClassVar[int]
    node_id: str
    def __init__(self, node_id: _Optional[str] = ...) -> None: ...

class MsgRegisterParticipant(_message.Message):
    __slots__ = ("creator", "url", "consensus_public_key", "models", "ml_nodes")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    ML_NODES_FIELD_NUMBER: _ClassVar[int]
    creator: str
    url: str
    consensus_public_key: bytes
    models: _containers.RepeatedScalarFieldContainer[str]
    ml_nodes: _containers.RepeatedCompositeFieldContainer[MlNode]
    def __init__(self, creator: _Optional[str] = ..., url: _Optional[str] = ..., consensus_public_key: _Optional[bytes] = ..., models: _Optional[_Iterable[str]] = ..., ml_nodes: _Optional[_Iterable[_Union[MlNode, _Mapping]]] = ...) -> None: ...

class MsgRegisterDeveloper(_message.Message):
    __slots__ = ("creator", "public_key")
    CREATOR_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    creator: str
    public_key: bytes
    def __init__(self, creator: _Optional[str] = ..., public_key: _Optional[bytes] = ...) -> None: ...

class Participant(_message.Message):
    __slots__ = ("address", "kind", "url", "consensus_public_key", "models", "ml_nodes", "registered_height")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    MODELS_FIELD_NUMBER: _ClassVar[int]
    ML_NODES_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    address: str
    kind: ParticipantKind
    url: str
    consensus_public_key: bytes
    models: _containers.RepeatedScalarFieldContainer[str]
    ml_nodes: _containers.RepeatedCompositeFieldContainer[MlNode]
    registered_height: int
    def __init__(self, address: _Optional[str] = ..., kind: _Optional[_Union[ParticipantKind, str]] = ..., url: _Optional[str] = ..., consensus_public_key: _Optional[bytes] = ..., models: _Optional[_Iterable[str]] = ..., ml_nodes: _Optional[_Iterable[_Union[MlNode, _Mapping]]] = ..., registered_height: _Optional[int] = ...) -> None: ...

class Validator(_message.Message):
    __slots__ = ("name", "operator_address", "consensus_public_key", "power", "jailed")
    NAME_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    CONSENSUS_PUBLIC_KEY_FIELD_NUMBER: _ClassVar[int]
    POWER_FIELD_NUMBER: _ClassVar[int]
    JAILED_FIELD_NUMBER: _ClassVar[int]
    name: str
    operator_address: str
    consensus_public_key: bytes
    power: int
    jailed: bool
    def __init__(self, name: _Optional[str] = ..., operator_address: _Optional[str] = ..., consensus_public_key: _Optional[bytes] = ..., power: _Optional[int] = ..., jailed: _Optional[bool] = ...) -> None: ...
