using System;
using System.IO;
using NWaves.Audio;

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
}

/// <summary>Reads WAV files (through NWaves) into <see cref="MonoAudio"/>.</summary>
public static class WavAudio
{
    /// <summary>Reads <paramref name="path"/>, down-mixing channels to mono.</summary>
    /// <exception cref="InvalidDataException">The file is not a WAV file NWaves can read; the message names the file.</exception>
    public static MonoAudio Read(string path)
    {
        WaveFile wave;
        try
        {
            using var stream = File.OpenRead(path);
            wave = new WaveFile(stream);
        }
        catch (Exception e) when (e is not FileNotFoundException and not DirectoryNotFoundException and not UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: not a readable WAV file ({e.Message})", e);
        }

        var channels = wave.Signals;
        if (channels.Count == 0 || channels[0].Length == 0)
            throw new InvalidDataException($"{path}: the WAV file holds no samples.");
        var samples = new float[channels[0].Length];
        foreach (var channel in channels)
            for (var i = 0; i < samples.Length; i++) samples[i] += channel.Samples[i] / channels.Count;
        return new MonoAudio(samples, wave.WaveFmt.SamplingRate);
    }
}
