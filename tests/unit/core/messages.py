"""Test-only message types for the tx registry, built from descriptors at import.

`StringValue` stands in for a module message. `Exec` and `Labels` carry Any
values (repeated and in a map) to exercise nested canonical checks.
`Unregistered` is never registered.
"""

from google.protobuf import any_pb2, descriptor_pb2, descriptor_pool, message_factory, wrappers_pb2

from node.core.tx import register_message

StringValue = wrappers_pb2.StringValue

_F = descriptor_pb2.FieldDescriptorProto


def _build_test_file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(
        name="tests/unit/core/core_test_messages.proto",
        package="gonka.coretest",
        syntax="proto3",
        dependency=["google/protobuf/any.proto"],
    )
    exec_type = file.message_type.add(name="Exec")
    exec_type.field.add(name="msgs", number=1, label=_F.LABEL_REPEATED, type=_F.TYPE_MESSAGE, type_name=".google.protobuf.Any")

    labels = file.message_type.add(name="Labels")
    for map_name, entry_name, value_type, value_type_name in (
        ("by_name", "ByNameEntry", _F.TYPE_MESSAGE, ".google.protobuf.Any"),
        ("tags", "TagsEntry", _F.TYPE_STRING, ""),
    ):
        entry = labels.nested_type.add(name=entry_name)
        entry.options.map_entry = True
        entry.field.add(name="key", number=1, label=_F.LABEL_OPTIONAL, type=_F.TYPE_STRING)
        value = entry.field.add(name="value", number=2, label=_F.LABEL_OPTIONAL, type=value_type)
        if value_type_name:
            value.type_name = value_type_name
        labels.field.add(
            name=map_name,
            number=len(labels.field) + 1,
            label=_F.LABEL_REPEATED,
            type=_F.TYPE_MESSAGE,
            type_name=f".gonka.coretest.Labels.{entry_name}",
        )

    unregistered = file.message_type.add(name="Unregistered")
    unregistered.field.add(name="note", number=1, label=_F.LABEL_OPTIONAL, type=_F.TYPE_STRING)
    return file


_pool = descriptor_pool.Default()
_pool.Add(_build_test_file())
Exec = message_factory.GetMessageClass(_pool.FindMessageTypeByName("gonka.coretest.Exec"))
Labels = message_factory.GetMessageClass(_pool.FindMessageTypeByName("gonka.coretest.Labels"))
Unregistered = message_factory.GetMessageClass(_pool.FindMessageTypeByName("gonka.coretest.Unregistered"))


def impostor_string_value_class() -> type:
    """A class distinct from StringValue that has the same full protobuf name."""
    pool = descriptor_pool.DescriptorPool()
    pool.Add(descriptor_pb2.FileDescriptorProto.FromString(wrappers_pb2.DESCRIPTOR.serialized_pb))
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("google.protobuf.StringValue"))


def packed(message) -> any_pb2.Any:
    return any_pb2.Any(type_url="/" + message.DESCRIPTOR.full_name, value=message.SerializeToString(deterministic=True))


for _message_class in (StringValue, Exec, Labels):
    register_message(_message_class)
