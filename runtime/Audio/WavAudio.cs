using System;
using System.IO;
using System.Text;
using NWaves.Audio;
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
/// Reads WAV files into <see cref="MonoAudio"/>: PCM 8/16/24/32-bit integer or 32-bit float, any
/// number of channels (averaged to mono), optionally resampled. The header is checked first, so a
/// file that is not WAV, is cut short or uses another encoding fails with the file and the reason.
/// </summary>
public static class WavAudio
{
    private const short Pcm = 1;
    private const short IeeeFloat = 3;
    private const short Extensible = unchecked((short)0xFFFE);

    /// <summary>Reads <paramref name="path"/>, down-mixing to mono and, when <paramref name="sampleRate"/> is given, resampling to it.</summary>
    /// <exception cref="InvalidDataException">Not a WAV file, truncated, or an unsupported encoding; the message names the file.</exception>
    public static MonoAudio Read(string path, int? sampleRate = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"{path}: cannot read the file ({e.Message}).", e);
        }
        var audio = Decode(bytes, path);
        return sampleRate is { } rate ? audio.Resample(rate) : audio;
    }

    /// <summary>Decodes WAV bytes; <paramref name="name"/> names the source in error messages.</summary>
    public static MonoAudio Decode(byte[] bytes, string name)
    {
        CheckHeader(bytes, name);
        WaveFile wave;
        try
        {
            wave = new WaveFile(bytes);
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"{name}: not a readable WAV file ({e.Message}).", e);
        }
        var channels = wave.Signals;
        if (channels.Count == 0 || channels[0].Length == 0)
            throw new InvalidDataException($"{name}: the WAV file holds no samples.");
        var samples = new float[channels[0].Length];
        foreach (var channel in channels)
            for (var i = 0; i < samples.Length; i++) samples[i] += channel.Samples[i] / channels.Count;
        return new MonoAudio(samples, wave.WaveFmt.SamplingRate);
    }

    /// <summary>Walks the RIFF chunks: a WAVE form, a supported fmt chunk, and a data chunk that is all there.</summary>
    private static void CheckHeader(byte[] bytes, string name)
    {
        if (bytes.Length < 12 || Encoding.ASCII.GetString(bytes, 0, 4) != "RIFF" || Encoding.ASCII.GetString(bytes, 8, 4) != "WAVE")
            throw new InvalidDataException($"{name}: not a WAV file (no RIFF/WAVE header).");
        short? format = null;
        short bits = 0;
        var position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = Encoding.ASCII.GetString(bytes, position, 4);
            var size = BitConverter.ToInt32(bytes, position + 4);
            var body = position + 8;
            if (id == "fmt ")
            {
                if (size < 16 || body + 16 > bytes.Length) throw new InvalidDataException($"{name}: truncated WAV file (the fmt chunk is cut short).");
                format = BitConverter.ToInt16(bytes, body);
                bits = BitConverter.ToInt16(bytes, body + 14);
                if (format == Extensible && size >= 40 && body + 26 <= bytes.Length) format = BitConverter.ToInt16(bytes, body + 24);
                if (format is not (Pcm or IeeeFloat))
                    throw new InvalidDataException($"{name}: unsupported WAV encoding (format tag {format}); use PCM integer or 32-bit float.");
                if (format == Pcm && bits is not (8 or 16 or 24 or 32))
                    throw new InvalidDataException($"{name}: unsupported PCM bit depth {bits} (8, 16, 24 and 32 are supported).");
                if (format == IeeeFloat && bits != 32)
                    throw new InvalidDataException($"{name}: {bits}-bit float WAV is not supported (32-bit float is).");
            }
            else if (id == "data")
            {
                if (format is null) throw new InvalidDataException($"{name}: the data chunk comes before the fmt chunk.");
                if (size < 0 || body + (long)size > bytes.Length)
                    throw new InvalidDataException($"{name}: truncated WAV file ({bytes.Length - body} of {size} data bytes present).");
                return;
            }
            position = body + size + (size & 1); // chunks are word-aligned
        }
        throw new InvalidDataException(format is null ? $"{name}: no fmt chunk (not a complete WAV file)." : $"{name}: no data chunk (truncated WAV file).");
    }
}
