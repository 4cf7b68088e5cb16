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
        // The first failing utterance in manifest order, as the documented exception (never an AggregateException).
        if (Array.FindIndex(errors, e => e is not null) is var first and >= 0)
        {
            var error = errors[first]!;
            var others = errors.Count(e => e is not null) - 1;
            var more = others > 0 ? $" ({others} more utterance(s) failed too)" : "";
            throw error is DataFileException invalid && others == 0 ? invalid : new DataFileException(
                (error is DataFileException ? error.Message : $"{utterances[first].Source}: {utterances[first].AudioPath}: {error.Message}") + more, error);
        }
        return result;
    }

    /// <summary>Features of one utterance (through the cache when there is one).</summary>
    public float[,] Load(Utterance utterance)
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
            hash.AppendData(Encoding.UTF8.GetBytes($"|{settingsKey}|{SampleRate}"));
            var key = Convert.ToHexString(hash.GetHashAndReset());
            cachePath = Path.Combine(directory, key[..2], key + ".f32");
            if (TryRead(cachePath) is { } cached) return cached;
        }

        MonoAudio audio;
        try
        {
            audio = WavAudio.Decode(bytes, utterance.AudioPath).Resample(SampleRate);
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

    private static float[,]? TryRead(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            var frames = reader.ReadInt32();
            var width = reader.ReadInt32();
            var bytes = reader.ReadBytes(frames * width * sizeof(float));
            if (bytes.Length != frames * width * sizeof(float)) return null; // a damaged entry is recomputed
            var features = new float[frames, width];
            Buffer.BlockCopy(bytes, 0, features, 0, bytes.Length);
            return features;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static void Write(string path, float[,] features)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(features.GetLength(0));
            writer.Write(features.GetLength(1));
            var bytes = new byte[features.Length * sizeof(float)];
            Buffer.BlockCopy(features, 0, bytes, 0, bytes.Length);
            writer.Write(bytes);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
