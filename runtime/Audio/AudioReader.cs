using System;
using System.Collections.Generic;
using System.IO;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// An open audio file read a range of mono samples at a time, so a recording of any length is
/// processed in bounded memory. Ranges may move forward freely; one that starts before what a
/// sequential decoder (FLAC, MP3) still holds costs a decode from the start.
/// </summary>
public abstract class AudioReader : IDisposable
{
    /// <summary>What the file holds.</summary>
    public abstract AudioInfo Info { get; }

    /// <summary>
    /// Mono samples <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/>,
    /// clipped to the file (fewer at its end).
    /// </summary>
    /// <exception cref="DataFileException">The file is damaged in or before that range.</exception>
    public abstract float[] ReadRange(long first, int count);

    /// <summary>The whole file as mono audio.</summary>
    /// <exception cref="DataFileException">The file is damaged, or too long to hold as one array.</exception>
    public virtual MonoAudio ReadAll()
    {
        if (Info.Frames > Array.MaxLength)
            throw new DataFileException($"{Name}: {Info.Frames} samples are too many to hold at once; read it in pieces (AudioFile.Open).");
        return new MonoAudio(ReadRange(0, (int)Info.Frames), Info.SampleRate);
    }

    /// <summary>Names the file in messages.</summary>
    protected abstract string Name { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the file.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A segment of another reader's recording, read as if it were the whole file.</summary>
internal sealed class SegmentAudioReader : AudioReader
{
    private readonly AudioReader inner;
    private readonly long first;

    public SegmentAudioReader(AudioReader inner, AudioSegment segment, string name)
    {
        this.inner = inner;
        Name = $"{name} [{segment}]";
        (first, var count) = segment.Samples(inner.Info.SampleRate, inner.Info.Frames, name);
        Info = inner.Info with { Frames = count };
    }

    public override AudioInfo Info { get; }

    protected override string Name { get; }

    public override float[] ReadRange(long start, int count)
    {
        var available = (int)Math.Clamp(Info.Frames - start, 0, count);
        return inner.ReadRange(first + start, available);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
    }
}

/// <summary>Audio already in memory, read as a file would be.</summary>
public sealed class MemoryAudioReader(MonoAudio audio, string name = "audio") : AudioReader
{
    /// <inheritdoc />
    public override AudioInfo Info { get; } = new(AudioFormat.Wav, audio.SampleRate, 1, audio.Samples.Length);

    /// <inheritdoc />
    protected override string Name => name;

    /// <inheritdoc />
    public override float[] ReadRange(long first, int count)
    {
        var start = (int)Math.Clamp(first, 0, audio.Samples.Length);
        return audio.Samples.AsSpan(start, (int)Math.Min(count, audio.Samples.Length - start)).ToArray();
    }
}

/// <summary>WAV: each range is read straight from its place in the file.</summary>
internal sealed class WavRangeReader : AudioReader
{
    private readonly string path;

    public WavRangeReader(string path)
    {
        this.path = path;
        var (rate, channels, frames) = WavAudio.Probe(path);
        Info = new AudioInfo(AudioFormat.Wav, rate, channels, frames);
    }

    public override AudioInfo Info { get; }

    protected override string Name => path;

    public override float[] ReadRange(long first, int count) => WavAudio.ReadRange(path, first, count);
}

/// <summary>
/// A format decoded front to back: decoded blocks are kept from a little before the last range
/// requested (so overlapping ranges cost nothing), older ones are dropped.
/// </summary>
internal abstract class SequentialAudioReader : AudioReader
{
    /// <summary>Samples kept behind the start of the last range (the overlaps of segmented featurising reach back less).</summary>
    private const int History = 1 << 16;

    private readonly LinkedList<(long Start, float[] Samples)> blocks = new();
    private long decodedEnd;
    private bool finished;

    protected SequentialAudioReader(Stream stream, string name)
    {
        Stream = stream;
        Name = name;
    }

    protected Stream Stream { get; }

    protected override string Name { get; }

    /// <summary>Starts decoding again from the beginning of the stream (the decoder positions the stream).</summary>
    protected abstract void Restart();

    /// <summary>The next block of mono samples, or null at the end of the stream.</summary>
    protected abstract float[]? DecodeBlock();

    public override float[] ReadRange(long first, int count)
    {
        if (first < 0 || count < 0) throw new ArgumentOutOfRangeException(nameof(first), $"Cannot read {count} samples from {first}.");
        if (blocks.First is { } oldest ? first < oldest.Value.Start : first < decodedEnd)
        {
            blocks.Clear();
            decodedEnd = 0;
            finished = false;
            Restart();
        }
        var end = first + count;
        // A range to the end of the file decodes to the end of the stream, where the format's own checks run (FLAC's MD5 and sample count).
        while (!finished && (decodedEnd < end || end >= Info.Frames))
        {
            var block = DecodeBlock();
            if (block is null)
            {
                finished = true;
                break;
            }
            blocks.AddLast((decodedEnd, block));
            decodedEnd += block.Length;
            // Keep what this range needs and some history before it.
            while (blocks.First is { } head && head.Value.Start + head.Value.Samples.Length < first - History) blocks.RemoveFirst();
        }
        end = Math.Min(end, decodedEnd);
        var result = new float[Math.Max(0, end - first)];
        foreach (var (start, samples) in blocks)
        {
            var from = Math.Max(first, start);
            var to = Math.Min(end, start + samples.Length);
            if (from < to) Array.Copy(samples, from - start, result, from - first, to - from);
        }
        return result;
    }

    /// <summary>The whole file, decoded from the start straight into one array (no block history kept).</summary>
    public override MonoAudio ReadAll()
    {
        if (Info.Frames > Array.MaxLength)
            throw new DataFileException($"{Name}: {Info.Frames} samples are too many to hold at once; read it in pieces (AudioFile.Open).");
        if (decodedEnd > 0 || blocks.Count > 0) return base.ReadAll();
        // The header's length is not trusted for the allocation (a damaged one may claim billions of
        // samples): the array starts at most 4 M samples long and doubles as audio actually arrives.
        var samples = new float[(int)Math.Min(Info.Frames, 1 << 22)];
        long at = 0;
        while (DecodeBlock() is { } block)
        {
            var take = (int)Math.Clamp(Info.Frames - at, 0, block.Length);
            if (at + take > samples.Length) Array.Resize(ref samples, (int)Math.Min(Info.Frames, Math.Max(2L * samples.Length, at + take)));
            Array.Copy(block, 0, samples, at, take);
            at += block.Length;
        }
        finished = true;
        decodedEnd = at;
        return new MonoAudio(at < samples.Length ? samples[..(int)at] : samples, Info.SampleRate);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) Stream.Dispose();
    }
}
