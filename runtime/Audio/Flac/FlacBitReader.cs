using System;
using System.Buffers.Binary;
using System.IO;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace CtcDsl.Runtime.Audio.Flac;

/// <summary>
/// Reads a FLAC stream bit by bit, most significant bit first, through a window of buffered bytes
/// that moves forward: memory is bounded by the largest frame, not by the stream. Every read is
/// checked against the bytes present, so no field of a damaged file reads out of bounds or loops:
/// running off the window throws <see cref="FlacNeedMoreDataException"/> (the caller buffers more and
/// retries the frame) or, at the end of the stream, a <see cref="FlacFormatException"/>.
/// </summary>
internal sealed class FlacBitReader
{
    /// <summary>Zero bytes kept after the data, so a 64-bit load at the last byte stays in the array.</summary>
    private const int Padding = 8;

    private readonly Stream stream;
    private byte[] buffer = new byte[1 << 16];
    private int length;          // valid bytes in buffer
    private long bit;            // read position, in bits from buffer[0]
    private long bufferOffset;   // stream offset of buffer[0]
    private bool streamEnded;

    public FlacBitReader(Stream stream) => this.stream = stream;

    /// <summary>Offset in the stream of the byte being read.</summary>
    public long BytePosition => bufferOffset + (bit >> 3);

    /// <summary>Whether every byte of the stream has been read.</summary>
    public bool AtEnd => streamEnded && (bit >> 3) >= length;

    /// <summary>Whether the position is on a byte boundary.</summary>
    public bool IsByteAligned => (bit & 7) == 0;

    /// <summary>Moves back to <paramref name="bytePosition"/>, a stream offset still in the window (the start of a frame to decode again).</summary>
    public void Rewind(long bytePosition)
    {
        if (bytePosition < bufferOffset || bytePosition > BytePosition) throw new InvalidOperationException("Can only rewind within the buffered window.");
        bit = (bytePosition - bufferOffset) << 3;
    }

    /// <summary>Bytes buffered from the current (byte-aligned) position on.</summary>
    public int Buffered => length - (int)(bit >> 3);

    /// <summary>Whether the stream ended within what is buffered.</summary>
    public bool StreamEnded => streamEnded;

    /// <summary>Makes at least <paramref name="bytes"/> bytes from the current byte available, unless the stream ends first.</summary>
    public void Ensure(int bytes)
    {
        var start = (int)(bit >> 3);
        if (length - start >= bytes || streamEnded) return;
        // Move the unread bytes to the front (growing the window when a frame needs it), then fill.
        var keep = length - start;
        if (bytes + Padding > buffer.Length)
        {
            var grown = new byte[Math.Max(bytes + Padding, buffer.Length * 2)];
            Buffer.BlockCopy(buffer, start, grown, 0, keep);
            buffer = grown;
        }
        else
        {
            Buffer.BlockCopy(buffer, start, buffer, 0, keep);
        }
        bufferOffset += start;
        bit &= 7;
        length = keep;
        while (length < buffer.Length - Padding)
        {
            var read = stream.Read(buffer, length, buffer.Length - Padding - length);
            if (read == 0)
            {
                streamEnded = true;
                break;
            }
            length += read;
        }
        Array.Clear(buffer, length, Padding);
    }

    /// <summary>The bytes from <paramref name="fromBytePosition"/> (a stream offset still in the window) to the current byte.</summary>
    public ReadOnlySpan<byte> Since(long fromBytePosition) =>
        buffer.AsSpan((int)(fromBytePosition - bufferOffset), (int)(BytePosition - fromBytePosition));

    /// <summary>Reads <paramref name="count"/> (0–32) bits as an unsigned number.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadBits(int count)
    {
        if (count == 0) return 0;
        Require(count);
        var value = (uint)(Peek() >> (64 - count));
        bit += count;
        return value;
    }

    /// <summary>Reads <paramref name="count"/> (1–33) bits as a two's-complement number.</summary>
    public long ReadSigned(int count)
    {
        if (count == 0) return 0;
        Require(count);
        var value = (long)Peek64Wide(count) << (64 - count) >> (64 - count);
        bit += count;
        return value;
    }

    /// <summary>A unary number: the zeros before the next one (which is consumed).</summary>
    public uint ReadUnary()
    {
        uint zeros = 0;
        while (true)
        {
            Require(1);
            var window = Peek();
            var leading = BitOperations.LeadingZeroCount(window);
            if (leading < 57)
            {
                Require(leading + 1);
                bit += leading + 1;
                return zeros + (uint)leading;
            }
            // 57 bits are always valid in a window: skip 56 zeros and look again.
            zeros += 56;
            bit += 56;
            if (zeros > 1u << 30) throw new FlacFormatException("a run of over a billion zero bits where a number was expected");
        }
    }

    /// <summary>
    /// Decodes <paramref name="destination"/>.Length Rice-coded signed residuals with parameter
    /// <paramref name="parameter"/>. The common case (quotient and remainder within one 64-bit window)
    /// takes one load; the bound check per value keeps a damaged stream from reading past the window.
    /// </summary>
    public void ReadRice(Span<long> destination, int parameter)
    {
        var limit = (long)length << 3;
        for (var i = 0; i < destination.Length; i++)
        {
            if (bit >= limit) ThrowOverrun();
            var window = Peek();
            var leading = BitOperations.LeadingZeroCount(window);
            ulong folded;
            if (leading + 1 + parameter <= 57)
            {
                // Quotient: the leading zeros; remainder: the parameter bits after the terminating one.
                var remainder = parameter == 0 ? 0 : (window << (leading + 1)) >> (64 - parameter);
                folded = ((ulong)leading << parameter) | remainder;
                bit += leading + 1 + parameter;
            }
            else
            {
                var quotient = ReadUnary();
                folded = ((ulong)quotient << parameter) | ReadWide(parameter);
            }
            if (bit > limit) ThrowOverrun();
            destination[i] = (long)(folded >> 1) ^ -(long)(folded & 1);
        }
    }

    /// <summary>Skips to the next byte boundary.</summary>
    public void AlignToByte() => bit = (bit + 7) & ~7L;

    /// <summary>Fills <paramref name="destination"/> with whole bytes (the position must be byte-aligned).</summary>
    public void ReadBytes(Span<byte> destination)
    {
        Require(destination.Length * 8);
        buffer.AsSpan((int)(bit >> 3), destination.Length).CopyTo(destination);
        bit += destination.Length * 8L;
    }

    /// <summary>Skips <paramref name="count"/> whole bytes, reading through the stream as needed (metadata blocks).</summary>
    public void SkipBytes(long count)
    {
        while (count > 0)
        {
            Ensure(1);
            var available = Math.Min(count, Buffered);
            if (available == 0) throw new FlacFormatException("the stream ends inside a metadata block");
            bit += available * 8;
            count -= available;
        }
    }

    private ulong ReadWide(int count)
    {
        if (count == 0) return 0;
        Require(count);
        var value = Peek64Wide(count);
        bit += count;
        return value;
    }

    /// <summary>The next 57 or more bits, left-aligned in a 64-bit word (bits past the data read as zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Peek() => BinaryPrimitives.ReadUInt64BigEndian(buffer.AsSpan((int)(bit >> 3))) << (int)(bit & 7);

    /// <summary>The next <paramref name="count"/> (up to 57) bits as an unsigned number.</summary>
    private ulong Peek64Wide(int count) => Peek() >> (64 - count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Require(int bits)
    {
        if (bit + bits > (long)length << 3) ThrowOverrun();
    }

    private void ThrowOverrun()
    {
        if (!streamEnded) throw new FlacNeedMoreDataException();
        throw new FlacFormatException("the stream ends inside a frame (a truncated file)");
    }
}
