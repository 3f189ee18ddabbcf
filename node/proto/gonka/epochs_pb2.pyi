from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Epoch(_message.Message):
    __slots__ = ("index", "poc_start_block_height")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    POC_START_BLOCK_HEIGHT_FIELD_NUMBER: _ClassVar[int]
    index: int
    poc_start_block_height: int
    def __init__(self, index: _Optional[int] = ..., poc_start_block_height: _Optional[int] = ...) -> None: ...
