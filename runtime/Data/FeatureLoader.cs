using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using CtcDsl.Runtime.Audio;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// Computes the features of many audio files on background workers, optionally through an on-disk
/// cache keyed by the file's content and the front-end's settings (so an edited file or a changed
/// front-end never reuses stale features). Errors name the file and where it was listed.
/// </summary>
public sealed class FeatureLoader
{
    private readonly Func<MonoAudio, float[,]> frontEnd;
    private readonly Func<string, AudioSegment?, float[,]>? fromFile;
    private readonly string settingsKey;

    /// <summary>Creates the loader.</summary>
    /// <param name="frontEnd">Audio to features, for example <c>a =&gt; new Mfcc().Compute(a)</c>.</param>
    /// <param name="settingsKey">Describes the front-end and its settings; part of every cache key.</param>
    /// <param name="sampleRate">Rate the audio is resampled to before the front-end.</param>
    public FeatureLoader(Func<MonoAudio, float[,]> frontEnd, string settingsKey, int sampleRate)
    {
        this.frontEnd = frontEnd;
        this.settingsKey = settingsKey;
        SampleRate = sampleRate;
    }

    /// <summary>
    /// Creates a loader that featurises each file through <paramref name="frontEnd"/> a segment at a time
    /// (<see cref="FrontEnd.RawFromFile(string, AudioSegment?)"/>) and hashes it as a stream, so memory stays bounded however long
    /// a recording is. Its features are the front-end's raw ones (normalise them afterwards).
    /// </summary>
    public FeatureLoader(FrontEnd frontEnd)
        : this(frontEnd.Raw, DataSets.SettingsKey(frontEnd.Settings), frontEnd.Settings.SampleRate) => fromFile = frontEnd.RawFromFile;

    /// <summary>Rate the audio is resampled to.</summary>
    public int SampleRate { get; }

    /// <summary>Folder of cached features; null: no cache.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Background workers (default: every core).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>Features of every utterance, in input order.</summary>
    /// <exception cref="DataFileException">An audio file is missing or unreadable; the message names it and its manifest line.</exception>
    public float[][,] Load(IReadOnlyList<Utterance> utterances, CancellationToken cancellationToken = default)
    {
        // Temporaries of writers killed before their rename go once StaleTemporaries.MaximumAge old (other loaders may be writing).
        if (CacheDirectory is { } cache) Training.StaleTemporaries.Clean(cache, "*.tmp", SearchOption.AllDirectories);
        var result = new float[utterances.Count][,];
        var errors = new Exception?[utterances.Count];
        Parallel.For(0, utterances.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Workers), CancellationToken = cancellationToken }, i =>
        {
            try
            {
                result[i] = Load(utterances[i]);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        ThrowFirst(errors, utterances);
        return result;
    }

    /// <summary>The first failing utterance in manifest order, as the documented exception (never an AggregateException).</summary>
    private static void ThrowFirst(Exception?[] errors, IReadOnlyList<Utterance> utterances)
    {
        if (Array.FindIndex(errors, e => e is not null) is var first and >= 0)
        {
            var error = errors[first]!;
            var others = errors.Count(e => e is not null) - 1;
            var more = others > 0 ? $" ({others} more utterance(s) failed too)" : "";
            throw error is DataFileException invalid && others == 0 ? invalid : new DataFileException(
                (error is DataFileException ? error.Message : $"{utterances[first].Source}: {utterances[first].AudioPath}: {error.Message}") + more, error);
        }
    }

    /// <summary>
    /// Makes sure every utterance's features are in the cache (computing the missing ones on
    /// <see cref="Workers"/> threads) without keeping any in memory; returns each one's cache entry and
    /// frame count, in input order. Needs <see cref="CacheDirectory"/>.
    /// </summary>
    /// <exception cref="DataFileException">An audio file is missing or unreadable; the message names it and its manifest line.</exception>
    public IReadOnlyList<(string Path, int Frames)> Precompute(IReadOnlyList<Utterance> utterances, CancellationToken cancellationToken = default)
    {
        var directory = CacheDirectory ?? throw new InvalidOperationException("Streaming features from disk needs a CacheDirectory.");
        Training.StaleTemporaries.Clean(directory, "*.tmp", SearchOption.AllDirectories);
        var result = new (string, int)[utterances.Count];
        var errors = new Exception?[utterances.Count];
        Parallel.For(0, utterances.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Workers), CancellationToken = cancellationToken }, i =>
        {
            try
            {
                // The file is hashed once: a missing entry is computed straight into its place.
                var path = EntryPath(utterances[i], directory);
                var frames = ReadFrameCount(path) ?? (fromFile is null ? Load(utterances[i]) : Featurise(utterances[i], fromFile, path)).GetLength(0);
                result[i] = (path, frames);
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        });
        ThrowFirst(errors, utterances);
        return result;
    }

    /// <summary>The cache entry of an utterance: its file's content hashed as a stream, with its segment and the front-end's settings.</summary>
    private string EntryPath(Utterance utterance, string directory)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        HashFile(utterance, hash);
        return CachePath(directory, hash, utterance.Segment);
    }

    private static void HashFile(Utterance utterance, IncrementalHash hash)
    {
        try
        {
            using var file = new FileStream(utterance.AudioPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = file.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"{utterance.Source}: cannot read {utterance.AudioPath} ({e.Message}).", e);
        }
    }

    /// <summary>The frame count in a cache entry's header, when the entry exists and its size matches it (its checksum is checked when it is read).</summary>
    private static int? ReadFrameCount(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 16);
            var header = new byte[16];
            if (file.Read(header, 0, 16) != 16 || !header.AsSpan(0, CacheMagic.Length).SequenceEqual(CacheMagic)) return null;
            var frames = BitConverter.ToInt32(header, 8);
            var width = BitConverter.ToInt32(header, 12);
            return frames >= 0 && width > 0 && 16 + (long)frames * width * sizeof(float) + 32 == file.Length ? frames : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Features of one utterance (through the cache when there is one).</summary>
    public float[,] Load(Utterance utterance) => fromFile is null ? LoadInMemory(utterance) : LoadStreaming(utterance, fromFile);

    private float[,] LoadStreaming(Utterance utterance, Func<string, AudioSegment?, float[,]> featurise)
    {
        string? cachePath = null;
        if (CacheDirectory is { } directory)
        {
            cachePath = EntryPath(utterance, directory);
            if (TryRead(cachePath) is { } cached) return cached;
        }
        return Featurise(utterance, featurise, cachePath);
    }

    /// <summary>Computes an utterance's features a segment at a time and, given a cache entry, writes them there.</summary>
    private static float[,] Featurise(Utterance utterance, Func<string, AudioSegment?, float[,]> featurise, string? cachePath)
    {
        float[,] features;
        try
        {
            features = featurise(utterance.AudioPath, utterance.Segment);
        }
        catch (DataFileException e)
        {
            throw new DataFileException(e.Message.StartsWith(utterance.AudioPath, StringComparison.Ordinal) ? $"{utterance.Source}: {e.Message}" : $"{utterance.Source}: {utterance.AudioPath}: {e.Message}", e);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new DataFileException($"{utterance.Source}: {utterance.AudioPath}: the front-end failed: {e.Message}", e);
        }
        if (cachePath is not null) Write(cachePath, features);
        return features;
    }

    private float[,] LoadInMemory(Utterance utterance)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(utterance.AudioPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"{utterance.Source}: cannot read {utterance.AudioPath} ({e.Message}).", e);
        }

        string? cachePath = null;
        if (CacheDirectory is { } directory)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(bytes);
            cachePath = CachePath(directory, hash, utterance.Segment);
            if (TryRead(cachePath) is { } cached) return cached;
        }

        MonoAudio audio;
        try
        {
            audio = AudioFile.Decode(bytes, utterance.AudioPath);
            if (utterance.Segment is { } segment)
            {
                var (first, count) = segment.Samples(audio.SampleRate, audio.Samples.Length, utterance.AudioPath);
                audio = audio.Slice((int)first, (int)(first + count));
            }
            audio = audio.Resample(SampleRate);
        }
        catch (DataFileException e)
        {
            throw new DataFileException($"{utterance.Source}: {e.Message}", e);
        }
        float[,] features;
        try
        {
            features = frontEnd(audio);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new DataFileException($"{utterance.Source}: {utterance.AudioPath}: the front-end failed: {e.Message}", e);
        }
        if (cachePath is not null) Write(cachePath, features);
        return features;
    }

    /// <summary>The entry for a file whose content <paramref name="hash"/> has read: content, segment and front-end settings make the key.</summary>
    private string CachePath(string directory, IncrementalHash hash, AudioSegment? segment)
    {
        hash.AppendData(Encoding.UTF8.GetBytes($"|{settingsKey}|{SampleRate}|{segment?.Start:R}-{segment?.End:R}"));
        var key = Convert.ToHexString(hash.GetHashAndReset());
        return Path.Combine(directory, key[..2], key + ".f32");
    }

    /// <summary>The header of a cache entry: "CTCF", format version 1; then frames, width, the values and their SHA-256.</summary>
    private static readonly byte[] CacheMagic = { (byte)'C', (byte)'T', (byte)'C', (byte)'F', 1, 0, 0, 0 };

    /// <summary>
    /// A cached entry, or null when there is none or it cannot be trusted: a wrong header, sizes that
    /// do not match the file, a checksum that does not match (a flipped byte), or a non-finite value.
    /// A damaged entry is then recomputed and overwritten; sizes are checked against the file's length
    /// before anything is allocated.
    /// </summary>
    internal static float[,]? TryRead(string path)
    {
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return null;
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        const int header = 16;
        if (bytes.Length < header + 32 || !bytes.AsSpan(0, CacheMagic.Length).SequenceEqual(CacheMagic)) return null;
        var frames = BitConverter.ToInt32(bytes, 8);
        var width = BitConverter.ToInt32(bytes, 12);
        if (frames < 0 || width <= 0 || (long)frames * width * sizeof(float) != bytes.Length - header - 32) return null;
        var payload = bytes.AsSpan(header, bytes.Length - header - 32);
        if (!SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - 32))) return null;
        var features = new float[frames, width];
        Buffer.BlockCopy(bytes, header, features, 0, payload.Length);
        foreach (var value in features)
            if (!float.IsFinite(value)) return null;
        return features;
    }

    private static void Write(string path, float[,] features)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            Directory.CreateDirectory(directory);
            var bytes = new byte[16 + features.Length * sizeof(float) + 32];
            CacheMagic.CopyTo(bytes, 0);
            BitConverter.GetBytes(features.GetLength(0)).CopyTo(bytes, 8);
            BitConverter.GetBytes(features.GetLength(1)).CopyTo(bytes, 12);
            Buffer.BlockCopy(features, 0, bytes, 16, features.Length * sizeof(float));
            SHA256.HashData(bytes.AsSpan(0, bytes.Length - 32)).CopyTo(bytes, bytes.Length - 32);
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The cache is an optimisation: a full disk or a read-only folder costs speed, not the run.
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
            }
        }
    }
}
