from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Optional as _Optional

DESCRIPTOR: _descriptor.FileDescriptor

class Model(_message.Message):
    __slots__ = ("id", "validation_threshold_ppm", "weight_fingerprint")
    ID_FIELD_NUMBER: _ClassVar[int]
    VALIDATION_THRESHOLD_PPM_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FINGERPRINT_FIELD_NUMBER: _ClassVar[int]
    id: str
    validation_threshold_ppm: int
    weight_fingerprint: str
    def __init__(self, id: _Optional[str] = ..., validation_threshold_ppm: _Optional[int] = ..., weight_fingerprint: _Optional[str] = ...) -> None: ...
