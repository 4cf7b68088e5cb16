using System;
using System.IO;
using System.Buffers.Binary;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.Data;
using NWaves.Filters.Base;
using NWaves.Filters.Fda;
using NWaves.Operations;
using NWaves.Signals;

namespace CtcDsl.Runtime.Audio;

/// <summary>Mono audio: samples in [-1, 1] and their rate.</summary>
/// <param name="Samples">The samples, scaled to [-1, 1].</param>
/// <param name="SampleRate">Samples per second.</param>
public sealed record MonoAudio(float[] Samples, int SampleRate)
{
    /// <summary>Duration in seconds.</summary>
    public double Duration => (double)Samples.Length / SampleRate;

    /// <summary>The samples from <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    public MonoAudio Slice(int start, int end)
    {
        if (start < 0 || end > Samples.Length || start > end)
            throw new ArgumentOutOfRangeException(nameof(start), $"Cannot take samples {start}..{end} of {Samples.Length}.");
        return this with { Samples = Samples[start..end] };
    }

    /// <summary>
    /// The audio at <paramref name="sampleRate"/>, through NWaves' band-limited resampler; itself when
    /// the rate already matches. When lowering the rate, NWaves' anti-aliasing filter is causal and
    /// would delay the signal by half its length (50 samples by default); the filter is applied here
    /// and its delay removed, so features stay aligned with the original in time.
    /// </summary>
    public MonoAudio Resample(int sampleRate)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be positive.");
        if (sampleRate == SampleRate) return this;
        var resampler = new Resampler();
        var signal = new DiscreteSignal(SampleRate, Samples);
        var ratio = (float)sampleRate / SampleRate;
        FirFilter? antiAliasing = null;
        if (ratio < 1)
        {
            var order = resampler.MinResamplingFilterOrder;
            antiAliasing = new FirFilter(DesignFilter.FirWinLp(order, ratio / 2));
            var filtered = antiAliasing.ApplyTo(signal).Samples;
            var delay = (order - 1) / 2;
            var aligned = new float[Samples.Length];
            Array.Copy(filtered, delay, aligned, 0, Math.Min(filtered.Length - delay, aligned.Length));
            signal = new DiscreteSignal(SampleRate, aligned);
        }
        // Given a filter, NWaves does not filter again: it only interpolates (symmetric sinc, no delay).
        var resampled = resampler.Resample(signal, sampleRate, antiAliasing);
        return new MonoAudio(resampled.Samples, sampleRate);
    }
}

/// <summary>
/// Reads WAV files into <see cref="MonoAudio"/>: PCM 8/16/24/32-bit integer and 32/64-bit float, plain
/// or WAVE_FORMAT_EXTENSIBLE, any number of channels (averaged to mono), optionally resampled. The
/// reader treats its input as untrusted: chunk sizes are unsigned and bounded by the file, so no size
/// field makes it loop, read out of bounds or allocate more than the file holds; odd-sized chunks are
/// accepted with or without their pad byte (writers disagree); a data chunk whose size is 0 or
/// 0xFFFFFFFF (a streaming writer that never patched it) runs to the end of the file; non-finite float
/// samples are refused. Every failure is a <see cref="DataFileException"/> naming the file and the reason.
/// </summary>
public static class WavAudio
{
    private const ushort Pcm = 1;
    private const ushort IeeeFloat = 3;
    private const ushort Extensible = 0xFFFE;

    /// <summary>Writes <paramref name="audio"/> as a 16-bit PCM mono WAV file (samples clipped to [-1, 1]).</summary>
    public static void Write(string path, MonoAudio audio)
    {
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        var dataBytes = audio.Samples.Length * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write(Pcm);
        writer.Write((ushort)1);
        writer.Write(audio.SampleRate);
        writer.Write(audio.SampleRate * 2);
        writer.Write((ushort)2);
        writer.Write((ushort)16);
        writer.Write("data"u8);
        writer.Write(dataBytes);
        foreach (var sample in audio.Samples)
            writer.Write((short)Math.Round(Math.Clamp(sample, -1f, 1f) * short.MaxValue));
    }

    /// <summary>Reads <paramref name="path"/>, down-mixing to mono and, when <paramref name="sampleRate"/> is given, resampling to it.</summary>
    /// <exception cref="DataFileException">Missing, unreadable, not a WAV file, truncated, an unsupported encoding, or non-finite samples; the message names the file.</exception>
    public static MonoAudio Read(string path, int? sampleRate = null)
    {
        byte[] bytes;
        using (var stream = Open(path))
        {
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        var audio = Decode(bytes, path);
        return sampleRate is { } rate ? audio.Resample(rate) : audio;
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> names the source in error messages.</summary>
    /// <exception cref="DataFileException">The bytes are not a usable WAV file.</exception>
    public static MonoAudio Decode(byte[] bytes, string name)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        var (format, dataStart, dataLength) = ParseHeader(stream, name);
        var frames = dataLength / format.FrameBytes; // a partial last frame (a cut-off write) is left out
        if (frames == 0) throw new DataFileException($"{name}: the WAV file holds no samples.");
        var samples = new float[frames];
        DecodeFrames(bytes, (int)dataStart, samples, 0, (int)frames, format, name, firstFrame: 0);
        return new MonoAudio(samples, format.SampleRate);
    }

    /// <summary>The format and length of a WAV file, from its header alone (the samples are not read).</summary>
    /// <exception cref="DataFileException">The file is missing or not a usable WAV file.</exception>
    public static (int SampleRate, int Channels, long Frames) Probe(string path)
    {
        using var stream = Open(path);
        var (format, _, length) = ParseHeader(stream, path);
        return (format.SampleRate, format.Channels, length / format.FrameBytes);
    }

    /// <summary>
    /// Reads mono samples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> of a WAV
    /// file (clipped to the file) without reading the rest: long recordings are processed a piece at a time.
    /// </summary>
    /// <exception cref="DataFileException">The file is missing, not a usable WAV file, or holds non-finite samples in that range.</exception>
    public static float[] ReadRange(string path, long first, int count)
    {
        using var stream = Open(path);
        var (format, dataStart, length) = ParseHeader(stream, path);
        var frames = length / format.FrameBytes;
        first = Math.Clamp(first, 0, frames);
        var available = (int)Math.Min(count, frames - first);
        var bytes = new byte[available * format.FrameBytes];
        stream.Seek(dataStart + first * format.FrameBytes, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        var samples = new float[available];
        DecodeFrames(bytes, 0, samples, 0, available, format, path, first);
        return samples;
    }

    private static FileStream Open(string path) => AudioFile.OpenFile(path);

    /// <summary>Down-mixes <paramref name="count"/> frames starting at byte <paramref name="offset"/> into <paramref name="samples"/>.</summary>
    private static void DecodeFrames(byte[] bytes, int offset, float[] samples, int start, int count, WaveFormat format, string name, long firstFrame)
    {
        var scale = 1.0f / format.Channels;
        var position = offset;
        for (var i = 0; i < count; i++)
        {
            var sum = 0.0;
            for (var c = 0; c < format.Channels; c++, position += format.Bits / 8)
                sum += Sample(bytes, position, format);
            var value = (float)(sum * scale);
            if (!float.IsFinite(value))
                throw new DataFileException($"{name}: sample {firstFrame + i} ({(double)(firstFrame + i) / format.SampleRate:0.###} s) is {value}; the file holds non-finite float samples.");
            samples[start + i] = value;
        }
    }

    private static double Sample(byte[] bytes, int at, WaveFormat format) => (format.Float, format.Bits) switch
    {
        (false, 8) => (bytes[at] - 128) / 128.0,
        (false, 16) => BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(at)) / 32768.0,
        (false, 24) => ((bytes[at] | (bytes[at + 1] << 8) | (sbyte)bytes[at + 2] << 16)) / 8388608.0,
        (false, _) => BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(at)) / 2147483648.0,
        (true, 32) => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(at)),
        (true, _) => BinaryPrimitives.ReadDoubleLittleEndian(bytes.AsSpan(at)),
    };

    /// <summary>The decoded fmt chunk.</summary>
    private readonly record struct WaveFormat(int Channels, int SampleRate, int Bits, bool Float)
    {
        public int FrameBytes => Channels * (Bits / 8);
    }

    /// <summary>
    /// Walks the RIFF chunks to a supported fmt chunk and the data chunk, reading only chunk headers
    /// (8 bytes each) and the fmt chunk: the position and length of the samples, never more than the file holds.
    /// </summary>
    private static (WaveFormat Format, long DataStart, long DataLength) ParseHeader(Stream stream, string name)
    {
        var fileLength = stream.Length;
        var head = ReadAt(stream, 0, 12);
        if (head.Length < 12 || !Is(head, 0, "RIFF") || !Is(head, 8, "WAVE"))
            throw new DataFileException(head.Length >= 12 && Is(head, 0, "RF64")
                ? $"{name}: RF64 (a WAV over 4 GB) is not supported; split the recording."
                : $"{name}: not a WAV file (no RIFF/WAVE header).");
        WaveFormat? format = null;
        long position = 12;
        while (position + 8 <= fileLength)
        {
            var header = ReadAt(stream, position, 8);
            var id = Encoding.ASCII.GetString(header, 0, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4));
            var body = position + 8;
            var remaining = fileLength - body;
            if (id == "fmt ")
            {
                if (size < 16 || remaining < 16) throw new DataFileException($"{name}: truncated WAV file (the fmt chunk is cut short).");
                var available = Math.Min(Math.Min(size, remaining), 64);
                format = ReadFormat(ReadAt(stream, body, (int)available), Math.Min(size, remaining), name);
            }
            else if (id == "data")
            {
                if (format is null) throw new DataFileException($"{name}: the data chunk comes before the fmt chunk.");
                if (size == 0 || size == uint.MaxValue) size = remaining; // a streaming writer's placeholder: read to the end
                if (size > remaining)
                    throw new DataFileException($"{name}: truncated WAV file ({remaining} of {size} data bytes present).");
                if (size > int.MaxValue && stream is MemoryStream)
                    throw new DataFileException($"{name}: {size} bytes of samples are too many to hold at once; read it in pieces (WavAudio.ReadRange).");
                return (format.Value, body, size);
            }
            else if (size > remaining)
                throw new DataFileException($"{name}: the '{Printable(id)}' chunk at byte {position} claims {size} bytes but only {remaining} remain (a damaged or truncated file).");
            position = body + size;
            // Chunks are word-aligned, but some writers leave out the pad byte of an odd-sized chunk: take
            // the pad only when a chunk header follows it, or nothing recognisable follows without it.
            if ((size & 1) == 1 && !(LooksLikeChunk(stream, position) && !LooksLikeChunk(stream, position + 1))) position++;
        }
        throw new DataFileException(format is null ? $"{name}: no fmt chunk (not a complete WAV file)." : $"{name}: no data chunk (truncated WAV file).");
    }

    /// <summary>Up to <paramref name="count"/> bytes at <paramref name="position"/> (fewer at the end of the stream).</summary>
    private static byte[] ReadAt(Stream stream, long position, int count)
    {
        var buffer = new byte[(int)Math.Max(0, Math.Min(count, stream.Length - position))];
        stream.Seek(position, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }

    private static WaveFormat ReadFormat(byte[] bytes, long size, string name)
    {
        const int body = 0;
        var tag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body));
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 2));
        var rate = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(body + 4));
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 14));
        if (tag == Extensible)
        {
            // WAVE_FORMAT_EXTENSIBLE: cbSize, valid bits, channel mask, then the sub-format GUID, whose
            // first two bytes are the real format tag (PCM or IEEE float).
            if (size < 40 || bytes.Length < 26) throw new DataFileException($"{name}: truncated WAVE_FORMAT_EXTENSIBLE fmt chunk ({size} of 40 bytes).");
            tag = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 24));
        }
        if (tag is not (Pcm or IeeeFloat))
            throw new DataFileException($"{name}: unsupported WAV encoding (format tag {tag}); use PCM integer or IEEE float.");
        if (channels == 0) throw new DataFileException($"{name}: the fmt chunk declares 0 channels.");
        if (rate == 0 || rate > 10_000_000) throw new DataFileException($"{name}: the fmt chunk declares a sample rate of {rate} Hz.");
        if (tag == Pcm && bits is not (8 or 16 or 24 or 32))
            throw new DataFileException($"{name}: unsupported PCM bit depth {bits} (8, 16, 24 and 32 are supported).");
        if (tag == IeeeFloat && bits is not (32 or 64))
            throw new DataFileException($"{name}: {bits}-bit float WAV is not supported (32- and 64-bit float are).");
        return new WaveFormat(channels, (int)rate, bits, tag == IeeeFloat);
    }

    private static bool Is(byte[] bytes, int at, string id) => Encoding.ASCII.GetString(bytes, at, 4) == id;

    /// <summary>Whether 8 bytes at <paramref name="at"/> could be a chunk header: a four-character code of printable ASCII.</summary>
    private static bool LooksLikeChunk(Stream stream, long at)
    {
        if (at < 0 || at + 8 > stream.Length) return false;
        var id = ReadAt(stream, at, 4);
        foreach (var b in id)
            if (b is < 0x20 or > 0x7E) return false;
        return true;
    }

    private static string Printable(string id) => new(id.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
