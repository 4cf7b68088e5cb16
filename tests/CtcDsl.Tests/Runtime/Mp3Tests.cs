using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CsCheck;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// MP3 through the common entry point: files made by LAME (Common Voice's encoder family) at the
/// rates and modes corpora use decode like Debian's mpg123 decodes them, and damaged files fail
/// cleanly and quickly.
/// </summary>
public sealed class Mp3Tests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-mp3-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Encode(string name, int rate, int channels, int frames, params string[] options)
    {
        var test = new FlacTests.Case(name, rate, channels, 16, frames, "speech", Array.Empty<string>());
        var wav = FlacTests.WriteWav(Path.Combine(directory, name + ".wav"), FlacTests.Signal(test), rate, 16);
        var mp3 = Path.Combine(directory, name + ".mp3");
        ExternalTools.Run("lame", new[] { "--quiet" }.Concat(options).Concat(new[] { wav, mp3 }).ToArray());
        return mp3;
    }

    [SkippableTheory]
    [InlineData("cv 48k mono 64k", 48000, 1, new[] { "-b", "64" })]
    [InlineData("cv 48k mono vbr", 48000, 1, new[] { "-V", "6" })]
    [InlineData("24k mpeg-2 vbr", 24000, 1, new[] { "-V", "5" })]
    [InlineData("24k mpeg-2 64k", 24000, 1, new[] { "-b", "64" })]
    [InlineData("no lame tag", 48000, 1, new[] { "-b", "64", "-t" })]
    [InlineData("32k mono vbr", 32000, 1, new[] { "-V", "4" })]
    [InlineData("44.1k joint stereo", 44100, 2, new[] { "-b", "128", "-m", "j" })]
    [InlineData("22.05k mpeg-2", 22050, 1, new[] { "-b", "32" })]
    [InlineData("16k mpeg-2", 16000, 1, new[] { "-b", "24" })]
    [InlineData("id3 tags", 48000, 1, new[] { "-b", "64", "--tt", "title", "--ta", "artist", "--add-id3v2" })]
    public void Decodes_like_the_reference_decoder(string name, int rate, int channels, string[] options)
    {
        var mp3 = Encode(name.Replace(' ', '_').Replace('.', '_'), rate, channels, rate * 2, options);
        // mpg123 with its gapless trimming (LAME's tag gives the encoder's delay and padding), as NLayer does: the original length.
        var reference = Path.Combine(directory, "reference.wav");
        ExternalTools.Run("mpg123", "--quiet", "--mono", "-w", reference, mp3);
        var expected = WavAudio.Read(reference);
        var audio = AudioFile.Read(mp3);
        Assert.Equal(expected.SampleRate, audio.SampleRate);
        Assert.Equal(expected.Samples.Length, audio.Samples.Length);
        // Two decoders agree sample for sample (no offset): 84-88 dB for constant bit rates, 52-62 dB
        // for VBR files (NLayer's arithmetic differs more there), far below what changes features.
        // Every sample, the last frame's included (earlier versions ended LAME-tagged files with 529 zeros).
        var compared = audio.Samples.Length;
        var error = expected.Samples.Take(compared).Zip(audio.Samples, (e, a) => (double)(e - a) * (e - a)).Sum();
        var power = expected.Samples.Take(compared).Sum(e => (double)e * e);
        Console.WriteLine($"{name}: SNR against mpg123 {10 * Math.Log10(power / Math.Max(error, 1e-30)):0.0} dB");
        Assert.True(10 * Math.Log10(power / Math.Max(error, 1e-30)) > 45, $"SNR against mpg123: {10 * Math.Log10(power / error):0.0} dB");
        var info = AudioFile.Probe(mp3);
        Assert.Equal((AudioFormat.Mp3, rate, channels, (long)audio.Samples.Length), (info.Format, info.SampleRate, info.Channels, info.Frames));
        // Read in pieces as the segmented front-end does.
        using var reader = AudioFile.Open(mp3);
        Assert.Equal(audio.Samples[1000..5000], reader.ReadRange(1000, 4000));
        Assert.Equal(audio.Samples[4500..6000], reader.ReadRange(4500, 1500));
    }

    [SkippableFact]
    public void Mpeg_2_5_is_refused_by_name()
    {
        var mp3 = Encode("eight_k", 8000, 1, 8000, "-b", "16");
        Assert.Contains("MPEG-2.5", Assert.Throws<DataFileException>(() => AudioFile.Read(mp3)).Message);
    }

    [SkippableFact]
    public void Damaged_files_decode_or_fail_cleanly_and_quickly()
    {
        var seed = File.ReadAllBytes(Encode("seed", 16000, 1, 8000, "-b", "32"));
        var cases = Gen.Int[0, 4].Select(Gen.Int[0, int.MaxValue], Gen.Byte, (kind, at, value) =>
        {
            var bytes = (byte[])seed.Clone();
            var position = at % bytes.Length;
            switch (kind)
            {
                case 0: return bytes[..position]; // truncated
                case 1: bytes[position] ^= (byte)(1 << (value % 8)); return bytes; // a bit flipped
                case 2: bytes[position] = value; return bytes; // a byte replaced
                case 3: // a frame header's bitrate, rate or mode bits altered (headers start with 0xFF 0xFx)
                    var header = Array.FindIndex(bytes, position, b => b == 0xFF);
                    if (header >= 0 && header + 3 < bytes.Length) bytes[header + 2 + value % 2] ^= value;
                    return bytes;
                default: return bytes.Concat(Enumerable.Repeat(value, 1 + at % 3000)).ToArray(); // junk after the audio
            }
        });
        cases.SampleFixed(bytes =>
        {
            var run = Task.Run(() =>
            {
                try
                {
                    var audio = AudioFile.Decode(bytes, "clips/x.mp3");
                    Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s)));
                }
                catch (DataFileException e)
                {
                    Assert.StartsWith("clips/x.mp3: ", e.Message);
                }
            });
            Assert.True(run.Wait(TimeSpan.FromSeconds(5)), "the decoder did not return within 5 s");
            run.GetAwaiter().GetResult();
        }, iterations: 600, seed: "0000MP3fuzz0");
    }
}
