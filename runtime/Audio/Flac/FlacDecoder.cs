using System;
using System.IO;
using System.Security.Cryptography;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.Audio.Flac;

/// <summary>
/// Decodes a FLAC stream front to back, one frame at a time, without seeking: any bit depth from 4 to
/// 32, 1 to 8 channels with every stereo decorrelation, constant, verbatim, fixed and LPC subframes of
/// any order, Rice and escaped residuals of any partition order, wasted bits, variable block sizes.
/// Memory is one frame's samples and a window of the stream's bytes, whatever the stream's length.
/// The input is untrusted: every header field is checked, each frame's CRC-8 and CRC-16 are verified,
/// decoded samples must fit the declared bit depth, the sample count must match STREAMINFO and, when
/// the whole stream is decoded, so must its MD5. Every failure is a <see cref="DataFileException"/>
/// naming the stream, the frame and the byte.
/// </summary>
public sealed class FlacDecoder : IDisposable
{
    private readonly FlacBitReader reader;
    private readonly Stream stream;
    private readonly bool leaveOpen;
    private readonly string name;
    private readonly IncrementalHash? md5;
    private readonly byte[] expectedMd5 = new byte[16];
    private long[][] channels;
    private byte[] md5Scratch = Array.Empty<byte>();
    private int frameSize; // bytes the next frame is expected to need at most (grows when one needs more)
    private int frameIndex;
    private bool ended;

    /// <summary>Opens the stream and reads its metadata (the samples are decoded by <see cref="ReadFrame"/>).</summary>
    /// <param name="stream">The FLAC bytes, from the start (an ID3v2 tag before the stream is skipped).</param>
    /// <param name="name">Names the stream in error messages (the file's path).</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open when the decoder is disposed.</param>
    /// <exception cref="DataFileException">Not a FLAC stream, or its metadata is damaged.</exception>
    public FlacDecoder(Stream stream, string name, bool leaveOpen = false)
    {
        this.stream = stream;
        this.leaveOpen = leaveOpen;
        this.name = name;
        reader = new FlacBitReader(stream);
        Info = Guard(ReadMetadata, "metadata");
        channels = new long[Info.Channels][];
        for (var c = 0; c < Info.Channels; c++) channels[c] = new long[Math.Max(Info.MaxBlockSize, 16)];
        frameSize = FrameBound(Info.MaxBlockSize);
        if (Info.HasMd5) md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
    }

    /// <summary>The stream's format, from STREAMINFO.</summary>
    public FlacStreamInfo Info { get; }

    /// <summary>Offset in the stream where the next frame starts (after <see cref="ReadFrame"/>, the end of the frame it read).</summary>
    public long BytePosition => reader.BytePosition;

    /// <summary>Samples per channel decoded so far.</summary>
    public long SamplesDecoded { get; private set; }

    /// <summary>
    /// The decoded samples of channel <paramref name="channel"/> in the last frame read: integers in
    /// [−2^(bits−1), 2^(bits−1)), as many as <see cref="ReadFrame"/> returned.
    /// </summary>
    public ReadOnlySpan<long> Channel(int channel) => channels[channel];

    /// <summary>Decodes the next frame; returns its samples per channel, 0 at the end of the stream.</summary>
    /// <exception cref="DataFileException">The frame is damaged, the stream is truncated, or the decoded audio does not match STREAMINFO's sample count or MD5.</exception>
    public int ReadFrame()
    {
        if (ended) return 0;
        var count = Guard(DecodeFrame, $"frame {frameIndex}");
        if (count == 0)
        {
            ended = true;
            Guard(CheckEnd, "the end of the stream");
            return 0;
        }
        frameIndex++;
        SamplesDecoded += count;
        if (md5 is not null) HashFrame(count);
        return count;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        md5?.Dispose();
        if (!leaveOpen) stream.Dispose();
    }

    private T Guard<T>(Func<T> action, string where)
    {
        var position = reader.BytePosition;
        try
        {
            return action();
        }
        catch (FlacFormatException e)
        {
            throw new DataFileException($"{name}: not a valid FLAC stream: {e.Message} ({where}, byte {position}).", e);
        }
        catch (IOException e) when (e is not DataFileException)
        {
            throw new DataFileException($"{name}: cannot read the file ({e.Message}).", e);
        }
    }

    private FlacStreamInfo ReadMetadata()
    {
        reader.Ensure(1 << 12);
        var magic = new byte[4];
        if (reader.Buffered < 4) throw new FlacFormatException("the file is too short to hold a FLAC stream");
        reader.ReadBytes(magic);
        if (magic[0] == 'I' && magic[1] == 'D' && magic[2] == '3')
        {
            // An ID3v2 tag some tools put in front: 10-byte header whose size is four 7-bit bytes.
            var rest = new byte[6];
            reader.Ensure(6);
            if (reader.Buffered < 6) throw new FlacFormatException("the file ends inside an ID3 tag");
            reader.ReadBytes(rest);
            var size = (rest[2] & 0x7F) << 21 | (rest[3] & 0x7F) << 14 | (rest[4] & 0x7F) << 7 | (rest[5] & 0x7F);
            reader.SkipBytes(size + ((rest[1] & 0x10) != 0 ? 10 : 0));
            reader.Ensure(4);
            if (reader.Buffered < 4) throw new FlacFormatException("nothing follows the ID3 tag");
            reader.ReadBytes(magic);
        }
        if (magic[0] != 'f' || magic[1] != 'L' || magic[2] != 'a' || magic[3] != 'C')
            throw new FlacFormatException("no 'fLaC' marker at the start");

        FlacStreamInfo? info = null;
        var last = false;
        while (!last)
        {
            reader.Ensure(4);
            if (reader.Buffered < 4) throw new FlacFormatException("the file ends inside the metadata");
            last = reader.ReadBits(1) == 1;
            var type = (int)reader.ReadBits(7);
            var length = (int)reader.ReadBits(24);
            if (type == 127) throw new FlacFormatException("metadata block type 127 is invalid");
            if (info is null && type != 0) throw new FlacFormatException($"the first metadata block is of type {type}, not STREAMINFO");
            if (type == 0)
            {
                if (info is not null) throw new FlacFormatException("a second STREAMINFO block");
                if (length != 34) throw new FlacFormatException($"STREAMINFO is {length} bytes, not 34");
                reader.Ensure(34);
                if (reader.Buffered < 34) throw new FlacFormatException("the file ends inside STREAMINFO");
                info = ReadStreamInfo();
            }
            else
            {
                reader.SkipBytes(length);
            }
        }
        return info!;
    }

    private FlacStreamInfo ReadStreamInfo()
    {
        var minBlock = (int)reader.ReadBits(16);
        var maxBlock = (int)reader.ReadBits(16);
        reader.ReadBits(24); // minimum frame size (informational)
        reader.ReadBits(24); // maximum frame size
        var rate = (int)reader.ReadBits(20);
        var channelCount = (int)reader.ReadBits(3) + 1;
        var bits = (int)reader.ReadBits(5) + 1;
        var total = ((long)reader.ReadBits(4) << 32) | reader.ReadBits(32);
        reader.ReadBytes(expectedMd5);
        if (rate == 0) throw new FlacFormatException("STREAMINFO declares a sample rate of 0 Hz");
        if (bits < 4) throw new FlacFormatException($"STREAMINFO declares {bits} bits per sample (4 to 32 are valid)");
        if (maxBlock < minBlock) throw new FlacFormatException($"STREAMINFO's block sizes are inverted ({minBlock} > {maxBlock})");
        var hasMd5 = Array.Exists(expectedMd5, b => b != 0);
        return new FlacStreamInfo(minBlock, maxBlock, rate, channelCount, bits, total, hasMd5);
    }

    /// <summary>Bytes a frame of <paramref name="blockSize"/> samples takes at most when coded sensibly (verbatim, plus headers); a larger one is buffered on demand.</summary>
    private int FrameBound(int blockSize) => 64 + (int)Math.Min(1L << 26, (long)Math.Max(blockSize, 16) * Info.Channels * (Info.BitsPerSample + 1) / 8 + 16L * Info.Channels);

    private int DecodeFrame()
    {
        var start = reader.BytePosition;
        while (true)
        {
            reader.Ensure(frameSize);
            if (reader.Buffered == 0) return 0;
            if (!StartsFrame())
            {
                // After the last frame: ID3v1 and APE tags, or zeros some writers pad with, are not audio.
                if (Info.TotalSamples > 0 && SamplesDecoded == Info.TotalSamples || IsTrailingTag()) return 0;
                throw new FlacFormatException("no frame sync code where a frame should start");
            }
            try
            {
                return DecodeFrameAt(start);
            }
            catch (FlacNeedMoreDataException)
            {
                // A frame larger than expected (legal, if wasteful): buffer twice as much and decode it again.
                if (frameSize >= 1 << 26) throw new FlacFormatException("a frame over 64 MB");
                frameSize *= 2;
                reader.Rewind(start);
            }
        }
    }

    private bool StartsFrame() => reader.Buffered >= 2 && PeekSync();

    private bool PeekSync()
    {
        var position = reader.BytePosition;
        var sync = reader.ReadBits(15);
        reader.Rewind(position);
        return sync == 0x7FFC;
    }

    private bool IsTrailingTag()
    {
        var position = reader.BytePosition;
        var remaining = reader.Buffered;
        if (!reader.StreamEnded) return false;
        var bytes = new byte[Math.Min(remaining, 8)];
        reader.ReadBytes(bytes);
        reader.Rewind(position);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.StartsWith("TAG", StringComparison.Ordinal) || text.StartsWith("APETAGEX", StringComparison.Ordinal) || Array.TrueForAll(bytes, b => b == 0);
    }

    private int DecodeFrameAt(long start)
    {
        reader.ReadBits(15); // sync, checked by StartsFrame
        reader.ReadBits(1);  // blocking strategy: fixed or variable block sizes, both decoded the same way
        var blockCode = (int)reader.ReadBits(4);
        var rateCode = (int)reader.ReadBits(4);
        var assignment = (int)reader.ReadBits(4);
        var depthCode = (int)reader.ReadBits(3);
        if (reader.ReadBits(1) != 0) throw new FlacFormatException("a reserved frame header bit is set");
        ReadCodedNumber();
        var blockSize = blockCode switch
        {
            0 => throw new FlacFormatException("block size code 0 is reserved"),
            1 => 192,
            >= 2 and <= 5 => 576 << (blockCode - 2),
            6 => (int)reader.ReadBits(8) + 1,
            7 => (int)reader.ReadBits(16) + 1,
            _ => 256 << (blockCode - 8),
        };
        var rate = rateCode switch
        {
            0 => Info.SampleRate,
            1 => 88200,
            2 => 176400,
            3 => 192000,
            4 => 8000,
            5 => 16000,
            6 => 22050,
            7 => 24000,
            8 => 32000,
            9 => 44100,
            10 => 48000,
            11 => 96000,
            12 => (int)reader.ReadBits(8) * 1000,
            13 => (int)reader.ReadBits(16),
            14 => (int)reader.ReadBits(16) * 10,
            _ => throw new FlacFormatException("sample rate code 15 is invalid"),
        };
        var bits = depthCode switch
        {
            0 => Info.BitsPerSample,
            1 => 8,
            2 => 12,
            4 => 16,
            5 => 20,
            6 => 24,
            7 => 32,
            _ => throw new FlacFormatException("bit depth code 3 is reserved"),
        };
        var channelCount = assignment switch
        {
            < 8 => assignment + 1,
            <= 10 => 2,
            _ => throw new FlacFormatException($"channel assignment {assignment} is reserved"),
        };
        var headerCrc = FlacCrc.Crc8(reader.Since(start));
        if (reader.ReadBits(8) != headerCrc) throw new FlacFormatException("the frame header's CRC-8 does not match (a damaged frame)");
        if (rate != Info.SampleRate) throw new FlacFormatException($"the frame is at {rate} Hz, the stream at {Info.SampleRate} Hz");
        if (channelCount != Info.Channels) throw new FlacFormatException($"the frame has {channelCount} channels, the stream {Info.Channels}");
        if (bits != Info.BitsPerSample) throw new FlacFormatException($"the frame has {bits} bits per sample, the stream {Info.BitsPerSample}");
        if (Info.TotalSamples > 0 && SamplesDecoded + blockSize > Info.TotalSamples)
            throw new FlacFormatException($"the frames hold more samples than STREAMINFO's {Info.TotalSamples}");

        if (channels[0].Length < blockSize)
        {
            for (var c = 0; c < channels.Length; c++) channels[c] = new long[blockSize];
            frameSize = Math.Max(frameSize, FrameBound(blockSize));
        }
        for (var c = 0; c < channelCount; c++)
        {
            // The side channel of a stereo decorrelation carries one bit more.
            var side = assignment == 8 && c == 1 || assignment == 9 && c == 0 || assignment == 10 && c == 1;
            FlacSubframes.Decode(reader, channels[c].AsSpan(0, blockSize), bits + (side ? 1 : 0));
        }
        Decorrelate(assignment, blockSize);
        reader.AlignToByte();
        var frameCrc = FlacCrc.Crc16(reader.Since(start));
        if (reader.ReadBits(16) != frameCrc) throw new FlacFormatException("the frame's CRC-16 does not match (a damaged frame)");
        CheckRange(blockSize, bits);
        frameSize = Math.Max(frameSize, (int)(reader.BytePosition - start) + 64);
        return blockSize;
    }

    /// <summary>The frame or sample number, in FLAC's extended UTF-8 coding (up to 7 bytes); only its form is checked.</summary>
    private void ReadCodedNumber()
    {
        var first = reader.ReadBits(8);
        var extra = first switch
        {
            < 0x80 => 0,
            >= 0xC0 and < 0xE0 => 1,
            >= 0xE0 and < 0xF0 => 2,
            >= 0xF0 and < 0xF8 => 3,
            >= 0xF8 and < 0xFC => 4,
            >= 0xFC and < 0xFE => 5,
            0xFE => 6,
            _ => throw new FlacFormatException("a malformed frame number"),
        };
        for (var i = 0; i < extra; i++)
            if ((reader.ReadBits(8) & 0xC0) != 0x80) throw new FlacFormatException("a malformed frame number");
    }

    private void Decorrelate(int assignment, int count)
    {
        if (assignment < 8) return;
        var left = channels[0].AsSpan(0, count);
        var right = channels[1].AsSpan(0, count);
        switch (assignment)
        {
            case 8: // left, side = left − right
                for (var i = 0; i < count; i++) right[i] = left[i] - right[i];
                break;
            case 9: // side, right
                for (var i = 0; i < count; i++) left[i] += right[i];
                break;
            default: // mid = (left + right) >> 1 without its low bit, side = left − right
                for (var i = 0; i < count; i++)
                {
                    var side = right[i];
                    var mid = (left[i] << 1) | (side & 1);
                    left[i] = (mid + side) >> 1;
                    right[i] = (mid - side) >> 1;
                }
                break;
        }
    }

    private void CheckRange(int count, int bits)
    {
        long low = -(1L << (bits - 1)), high = (1L << (bits - 1)) - 1;
        for (var c = 0; c < channels.Length; c++)
        {
            var samples = channels[c].AsSpan(0, count);
            for (var i = 0; i < samples.Length; i++)
                if (samples[i] < low || samples[i] > high)
                    throw new FlacFormatException($"channel {c} decodes to {samples[i]}, outside {bits}-bit range (a damaged frame)");
        }
    }

    private int CheckEnd()
    {
        if (Info.TotalSamples > 0 && SamplesDecoded != Info.TotalSamples)
            throw new FlacFormatException($"the stream holds {SamplesDecoded} of the {Info.TotalSamples} samples STREAMINFO declares (a truncated file)");
        if (md5 is not null)
        {
            var actual = md5.GetHashAndReset();
            if (!actual.AsSpan().SequenceEqual(expectedMd5))
                throw new FlacFormatException("the decoded samples do not match the stream's MD5 signature");
        }
        return 0;
    }

    /// <summary>Feeds the frame to the MD5 as libFLAC does: interleaved little-endian samples of whole bytes.</summary>
    private void HashFrame(int count)
    {
        var width = (Info.BitsPerSample + 7) / 8;
        var size = count * channels.Length * width;
        if (md5Scratch.Length < size) md5Scratch = new byte[size];
        var output = md5Scratch.AsSpan(0, size);
        if (width == 2)
        {
            // The common case (16-bit) written a sample at a time, not a byte at a time.
            var shorts = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(output);
            for (var c = 0; c < channels.Length; c++)
            {
                var samples = channels[c];
                for (int i = 0, at = c; i < count; i++, at += channels.Length) shorts[at] = (short)samples[i];
            }
            if (!BitConverter.IsLittleEndian)
                for (var i = 0; i < shorts.Length; i++) shorts[i] = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(shorts[i]);
        }
        else
        {
            var at = 0;
            for (var i = 0; i < count; i++)
                for (var c = 0; c < channels.Length; c++)
                {
                    var value = channels[c][i];
                    for (var b = 0; b < width; b++) output[at++] = (byte)(value >> (8 * b));
                }
        }
        md5!.AppendData(md5Scratch, 0, size);
    }
}
