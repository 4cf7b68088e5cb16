using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Audio.Flac;

namespace CtcDsl.Bench;

/// <summary>
/// Decode speed of the audio readers on one thread, as multiples of real time: FLAC (ours) in the
/// shapes corpora ship — LibriSpeech's 16 kHz mono at flac's default level, CD audio at -8 — next to
/// reading the same audio as WAV, to the reference C decoder (<c>flac -d</c>, one process) and to MP3
/// through NLayer. Needs Debian's <c>flac</c> and <c>lame</c> to make the files.
/// </summary>
internal static class AudioDecodeBenchmark
{
    public static void Run(string[] args)
    {
        var minutes = args.Length > 0 && int.TryParse(args[0], out var m) ? m : 10;
        var folder = Directory.CreateTempSubdirectory("ctcdsl-decode-").FullName;
        try
        {
            Console.WriteLine($"Decoding {minutes} min of audio on one thread (best of 3; x real time = audio seconds per second):");
            foreach (var (name, rate, channels, level) in new[] { ("16 kHz mono, flac -5 (LibriSpeech)", 16000, 1, "-5"), ("44.1 kHz stereo, flac -8", 44100, 2, "-8") })
            {
                var wav = Path.Combine(folder, $"{rate}-{channels}.wav");
                WriteSpeechLike(wav, rate, channels, minutes * 60);
                var flac = Path.ChangeExtension(wav, ".flac");
                Tool("flac", "--silent", "--force", level, "-o", flac, wav);
                var seconds = minutes * 60.0;
                Console.WriteLine($"  {name}: WAV {new FileInfo(wav).Length / 1e6:F0} MB, FLAC {new FileInfo(flac).Length / 1e6:F0} MB");
                Report("FLAC, FlacDecoder (integers)", seconds, () => DecodeIntegers(flac));
                Report("FLAC, AudioFile.Read (mono float)", seconds, () => AudioFile.Read(flac));
                Report("WAV, AudioFile.Read (mono float)", seconds, () => AudioFile.Read(wav));
                Report("FLAC, flac -d (C, reference)", seconds, () => Tool("flac", "--silent", "--force", "-d", "-o", Path.Combine(folder, "out.wav"), flac));
                if (rate == 44100)
                {
                    var mp3 = Path.ChangeExtension(wav, ".mp3");
                    Tool("lame", "--quiet", "-b", "128", wav, mp3);
                    Report("MP3 128k, AudioFile.Read (NLayer)", seconds, () => AudioFile.Read(mp3));
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void Report(string what, double audioSeconds, Action decode)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            decode();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"    {what,-36} {best,7:F3} s  {audioSeconds / best,8:F0}x real time");
    }

    private static void DecodeIntegers(string path)
    {
        using var decoder = new FlacDecoder(File.OpenRead(path), path);
        while (decoder.ReadFrame() > 0)
        {
        }
    }

    /// <summary>Speech-like 16-bit audio: voiced harmonics under a syllable-rate envelope, pauses and a little noise.</summary>
    private static void WriteSpeechLike(string path, int rate, int channels, int seconds)
    {
        var random = new Random(5);
        var frames = rate * seconds;
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("RIFF"u8);
        writer.Write(36 + frames * channels * 2);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)channels);
        writer.Write(rate);
        writer.Write(rate * channels * 2);
        writer.Write((short)(channels * 2));
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(frames * channels * 2);
        var pitch = 120.0;
        for (var i = 0; i < frames; i++)
        {
            var t = (double)i / rate;
            if (i % (rate / 5) == 0) pitch = 90 + 120 * random.NextDouble();
            var envelope = Math.Max(0, Math.Sin(2 * Math.PI * 3.3 * t)) * (Math.Sin(2 * Math.PI * 0.21 * t) > -0.3 ? 1 : 0);
            var voiced = Enumerable.Range(1, 8).Sum(h => Math.Sin(2 * Math.PI * pitch * h * t) / h);
            for (var c = 0; c < channels; c++)
            {
                var value = 0.25 * envelope * voiced * (1 - 0.2 * c) + 0.004 * (random.NextDouble() - 0.5);
                writer.Write((short)Math.Clamp(Math.Round(value * 32767), short.MinValue, short.MaxValue));
            }
        }
    }

    private static void Tool(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed: {error}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"'{tool}' is not installed; apt-get install {tool}.");
        }
    }
}
