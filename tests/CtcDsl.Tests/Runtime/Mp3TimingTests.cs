using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// MPEG audio timing against the reference decoders (issue 23 item 3): files from every MPEG audio
/// encoder Debian's ffmpeg, lame and sox ship (LAME, ffmpeg's libmp3lame with its <c>Lavc</c> Info tag,
/// libshine, sox through libmp3lame and twolame, ffmpeg's mp2, mp2fixed and libtwolame), MPEG-1 and MPEG-2,
/// layers II and III, 1 sample to a second, decode to as many samples as <c>mpg123</c> and
/// <c>ffmpeg</c> give, sample-aligned with both.
/// </summary>
public sealed class Mp3TimingTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-mp3timing-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Encoders and the rates each accepts.</summary>
    private static readonly (string Encoder, int[] Rates)[] Encoders =
    [
        ("lame", [16000, 22050, 24000, 32000, 44100, 48000]),
        ("libmp3lame", [16000, 22050, 24000, 32000, 44100, 48000]),
        ("libshine", [32000, 44100, 48000]),
        ("sox-mp3", [16000, 24000, 44100]),
        ("mp2", [16000, 22050, 32000, 48000]),
        ("mp2fixed", [24000, 44100]),
        ("libtwolame", [16000, 24000, 44100]),
        ("sox-mp2", [22050, 48000]),
    ];

    public static IEnumerable<object[]> Cases()
    {
        foreach (var (encoder, rates) in Encoders)
            foreach (var rate in rates)
                foreach (var frames in new[] { 1, 1000, rate * 3 / 4 + 7 })
                    yield return [encoder, rate, 1, frames];
        foreach (var (encoder, _) in Encoders) yield return [encoder, 44100, 2, 30011];
    }

    /// <summary>Encodes a speech-like test signal with <paramref name="encoder"/>.</summary>
    internal static string Encode(string directory, string encoder, int rate, int channels, int frames)
    {
        var name = $"{encoder}_{rate}_{channels}_{frames}";
        var test = new FlacTests.Case(name, rate, channels, 16, frames, "speech", Array.Empty<string>());
        var wav = FlacTests.WriteWav(Path.Combine(directory, name + ".wav"), FlacTests.Signal(test), rate, 16);
        var layerTwo = encoder is "mp2" or "mp2fixed" or "libtwolame" or "sox-mp2";
        var output = Path.Combine(directory, name + (layerTwo ? ".mp2" : ".mp3"));
        switch (encoder)
        {
            case "lame":
                ExternalTools.Run("lame", "--quiet", wav, output);
                break;
            case "sox-mp3":
            case "sox-mp2":
                RequireSoxMpeg();
                ExternalTools.Run("sox", wav, output);
                break;
            default:
                // mp2's default at 44.1/48 kHz mono is 384 kbit/s, a combination layer II forbids (see Forbidden_layer_two_bitrates_are_refused_by_name).
                var rateOption = encoder is "mp2" or "mp2fixed" ? new[] { "-b:a", channels == 1 ? "96k" : "192k" } : Array.Empty<string>();
                ExternalTools.Run("ffmpeg", new[] { "-v", "error", "-y", "-i", wav, "-c:a", encoder }.Concat(rateOption).Append(output).ToArray());
                break;
        }
        return output;
    }

    /// <summary>sox writes MP3 and MP2 through Debian's libsox-fmt-mp3.</summary>
    private static void RequireSoxMpeg()
    {
        ExternalTools.Require("sox");
        var formats = Path.Combine(Path.GetTempPath(), $"ctcdsl-sox-{Environment.ProcessId}.txt");
        try
        {
            ExternalTools.RunToFile("sox", formats, "-h");
            if (File.ReadAllText(formats).Contains(" mp3")) return;
        }
        finally
        {
            File.Delete(formats);
        }
        if (Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_TOOLS") == "1")
            Assert.Fail("CTCDSL_REQUIRE_TOOLS=1 but sox cannot write MP3 (apt-get install libsox-fmt-mp3).");
        Skip.If(true, "sox cannot write MP3 (apt-get install libsox-fmt-mp3).");
    }

    /// <summary>
    /// A reference decoder's output as mono. mpg123 decodes to stereo and the channels are averaged
    /// here (its own --mono mix of layer II differs from the average); ffmpeg down-mixes itself. A
    /// file ffmpeg refuses (it does for some single-frame files) is an empty output, as mpg123's is.
    /// </summary>
    internal static float[] Reference(string directory, string tool, string path)
    {
        var mpg123 = tool == "mpg123";
        var start = new System.Diagnostics.ProcessStartInfo(ExternalTools.Require(tool)) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in mpg123 ? new[] { "--quiet", "--stereo", "-e", "s16", "-s", path } : new[] { "-v", "error", "-i", path, "-ac", "1", "-f", "s16le", "-" })
            start.ArgumentList.Add(argument);
        using var process = System.Diagnostics.Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Assert.False(mpg123, $"mpg123 failed on {path}: {error.Result}");
            Console.WriteLine($"{Path.GetFileName(path)}: ffmpeg decodes nothing ({error.Result.Trim()})");
            return Array.Empty<float>();
        }
        var bytes = output.ToArray();
        var width = mpg123 ? 4 : 2;
        var samples = new float[bytes.Length / width];
        for (var i = 0; i < samples.Length; i++)
            samples[i] = mpg123
                ? (BitConverter.ToInt16(bytes, 4 * i) + BitConverter.ToInt16(bytes, 4 * i + 2)) / 65536f
                : BitConverter.ToInt16(bytes, 2 * i) / 32768f;
        return samples;
    }

    /// <summary>Signal-to-error ratio in dB of <paramref name="actual"/> against <paramref name="expected"/> shifted by <paramref name="lag"/>.</summary>
    private static double Snr(float[] actual, float[] expected, int lag)
    {
        double error = 0, power = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var j = i + lag;
            if (j < 0 || j >= actual.Length) continue;
            error += (double)(actual[j] - expected[i]) * (actual[j] - expected[i]);
            power += (double)expected[i] * expected[i];
        }
        return 10 * Math.Log10(Math.Max(power, 1e-30) / Math.Max(error, 1e-30));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Timing_equals_mpg123_and_ffmpeg(string encoder, int rate, int channels, int frames)
    {
        var path = Encode(directory, encoder, rate, channels, frames);
        var mpg123 = Reference(directory, "mpg123", path);
        var ffmpeg = Reference(directory, "ffmpeg", path);
        if (mpg123.Length == 0)
        {
            // Nothing to decode for the references (a lone frame, or an Info frame and no audio): refused by name.
            Assert.Empty(ffmpeg);
            Assert.StartsWith(path + ": ", Assert.Throws<DataFileException>(() => AudioFile.Read(path)).Message);
            return;
        }
        var audio = AudioFile.Read(path);
        Assert.Equal(rate, audio.SampleRate);
        Assert.Equal(mpg123.Length, audio.Samples.Length);
        // ffmpeg drops the one audio frame of a file whose Info frame says delay 0 (libshine's 1-sample
        // files); everywhere else it agrees with mpg123 to the sample.
        if (ffmpeg.Length != mpg123.Length) Assert.Empty(ffmpeg);
        // Aligned: for each reference, no shift of a few samples fits better than none, and one of the
        // two agrees closely (they differ from each other by up to 30 dB on some MPEG-2 files).
        var best = double.NegativeInfinity;
        foreach (var (tool, expected) in new[] { ("mpg123", mpg123), ("ffmpeg", ffmpeg) })
        {
            if (expected.Length == 0 || expected.All(s => s == 0)) continue;
            var atZero = Snr(audio.Samples, expected, 0);
            Console.WriteLine($"{Path.GetFileName(path)}: {audio.Samples.Length} samples, {atZero:0.0} dB against {tool}");
            if (expected.Length >= 64)
                foreach (var lag in new[] { -3, -2, -1, 1, 2, 3 })
                    Assert.True(Snr(audio.Samples, expected, lag) < atZero, $"{tool}: a shift of {lag} samples fits better than none ({atZero:0.0} dB at 0)");
            best = Math.Max(best, atZero);
        }
        // Short outputs (47 samples of a 1-sample file) carry little power; their differences are compared directly.
        var largest = mpg123.Zip(audio.Samples, (e, a) => Math.Abs(e - a)).Max();
        Assert.True(best > 40 || largest < 2e-3, $"best SNR against the references: {best:0.0} dB, largest difference from mpg123 {largest}");
        Assert.Equal(audio.Samples.Length, AudioFile.Probe(path).Frames);
    }

    [SkippableFact]
    public void A_truncated_file_is_refused_naming_what_is_missing()
    {
        var whole = File.ReadAllBytes(Encode(directory, "libmp3lame", 44100, 1, 44100));
        var path = Path.Combine(directory, "cut.mp3");
        File.WriteAllBytes(path, whole[..(whole.Length / 10)]);
        var message = Assert.Throws<DataFileException>(() => AudioFile.Read(path)).Message;
        Assert.StartsWith(path + ": truncated MP3", message);
        Assert.Contains("Lavc", message);
        Assert.Contains("samples missing", message);
        // Without a tag the file states no length; a frame cut by the end still shows the truncation.
        var untagged = File.ReadAllBytes(Encode(directory, "mp2", 48000, 1, 48000));
        File.WriteAllBytes(path, untagged[..(untagged.Length - 100)]);
        Assert.Contains("cut short", Assert.Throws<DataFileException>(() => AudioFile.Read(path)).Message);
    }

    [SkippableFact]
    public void Forbidden_layer_two_bitrates_are_refused_by_name()
    {
        // ffmpeg's mp2 encoder writes 44.1 kHz mono at 384 kbit/s by default; NLayer loses sync on it.
        var wav = FlacTests.WriteWav(Path.Combine(directory, "mono.wav"), FlacTests.Signal(new FlacTests.Case("mono", 44100, 1, 16, 44100, "speech", Array.Empty<string>())), 44100, 16);
        var path = Path.Combine(directory, "mono.mp2");
        ExternalTools.Run("ffmpeg", "-v", "error", "-y", "-i", wav, "-c:a", "mp2", path);
        var message = Assert.Throws<DataFileException>(() => AudioFile.Read(path)).Message;
        Assert.StartsWith(path + ": MPEG-1 layer II at 384 kbit/s in mono", message);
    }
}
