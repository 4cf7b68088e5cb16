using System.Collections.Generic;
using System.IO;
using Google.Protobuf;

namespace CtcDsl.Runtime.Export;

/// <summary>
/// One protobuf message being written, field by field, with Google.Protobuf's <see cref="CodedOutputStream"/>.
/// The exporter writes the few ONNX messages it needs this way instead of checking in the ~10 000
/// lines protoc generates from <c>onnx.proto</c>: it only ever writes (ONNX Runtime reads the model
/// and its metadata), the field numbers are ONNX's stable wire format, and ONNX's own checker and
/// ONNX Runtime verify the result in the tests. Repeated scalars are written unpacked, the encoding
/// of <c>onnx.proto</c>'s proto2 fields.
/// </summary>
internal sealed class ProtoMessage
{
    private readonly MemoryStream buffer = new();
    private readonly CodedOutputStream output;

    public ProtoMessage() => output = new CodedOutputStream(buffer, leaveOpen: true);

    public ProtoMessage Int64(int field, long value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt64(value);
        return this;
    }

    public ProtoMessage Int64s(int field, IEnumerable<long> values)
    {
        foreach (var value in values) Int64(field, value);
        return this;
    }

    public ProtoMessage Int32(int field, int value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value);
        return this;
    }

    public ProtoMessage Float(int field, float value)
    {
        output.WriteTag(field, WireFormat.WireType.Fixed32);
        output.WriteFloat(value);
        return this;
    }

    public ProtoMessage String(int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
        return this;
    }

    public ProtoMessage Bytes(int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        // Wrapped, not copied: weights can be megabytes, and the array is not changed afterwards.
        output.WriteBytes(UnsafeByteOperations.UnsafeWrap(value));
        return this;
    }

    public ProtoMessage Message(int field, ProtoMessage message) => Bytes(field, message.ToArray());

    public byte[] ToArray()
    {
        output.Flush();
        return buffer.ToArray();
    }
}
