using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Audio.Flac;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// The FLAC decoder against Debian's reference encoder: audio made here is written as WAV, encoded by
/// <c>flac</c> over a matrix of its settings (levels, block sizes, bit depths, channel layouts, sample
/// rates, predictor orders, exhaustive searches, non-subset <c>--lax</c> streams, streamed output), and
/// must decode to exactly the integers it was made of — and read through <see cref="AudioFile"/> to
/// exactly the mono audio the WAV reader gives for the WAV.
/// </summary>
public sealed class FlacTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-flac-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>One encoding: the audio's shape and content, and the encoder's options.</summary>
    public sealed record Case(string Name, int Rate, int Channels, int Bits, int Frames, string Signal, string[] Options)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> Cases()
    {
        Case C(string name, int rate = 44100, int channels = 2, int bits = 16, int frames = 20000, string signal = "speech", params string[] options) =>
            new(name, rate, channels, bits, frames, signal, options);
        // Every compression level (fixed and LPC predictors, mid-side, adaptive mid-side, partition orders 3–6, apodizations).
        for (var level = 0; level <= 8; level++) yield return new object[] { C($"level {level}", options: $"-{level}") };
        // Block sizes, the non-subset ones with --lax.
        foreach (var block in new[] { 16, 192, 576, 1152, 2304, 4608 }) yield return new object[] { C($"block {block}", options: new[] { "-5", $"--blocksize={block}" }) };
        foreach (var block in new[] { 8192, 32768, 65535 }) yield return new object[] { C($"block {block} lax", frames: 70000, options: new[] { "-5", "--lax", $"--blocksize={block}" }) };
        // Bit depths, mono and stereo.
        foreach (var bits in new[] { 4, 8, 12, 16, 20, 24, 32 })
        foreach (var channels in new[] { 1, 2 })
            yield return new object[] { C($"{bits}-bit {channels} ch", rate: 48000, channels: channels, bits: bits, options: bits == 4 ? new[] { "-8", "--lax" } : new[] { "-8" }) };
        // Channel layouts: 3 to 8 channels (5.1 and 7.1 among them).
        foreach (var channels in new[] { 3, 4, 5, 6, 8 }) yield return new object[] { C($"{channels} channels", rate: 48000, channels: channels, bits: 24, frames: 9000, options: "-5") };
        // Sample rates: header codes for the common ones, kHz, Hz and tens of Hz.
        foreach (var rate in new[] { 8000, 11025, 16000, 22050, 24000, 32000, 37800, 88200, 96000, 176400, 192000, 1234, 655350 })
            yield return new object[] { C($"{rate} Hz", rate: rate, channels: 1, frames: 8000, options: new[] { "-5", "--lax" }) };
        // Predictors and residual coding at their limits.
        yield return new object[] { C("lpc order 32, precision 15, partitions 15", frames: 65536, options: new[] { "--lax", "-l", "32", "-q", "15", "-r", "15", "-b", "4096" }) };
        yield return new object[] { C("exhaustive model and precision search", frames: 12000, options: new[] { "-8", "-e", "-p" }) };
        yield return new object[] { C("apodizations", options: new[] { "-8", "-A", "tukey(0.5);partial_tukey(2);punchout_tukey(3);welch" }) };
        yield return new object[] { C("independent channels", options: new[] { "-5", "--no-mid-side" }) };
        yield return new object[] { C("fixed predictors only", options: new[] { "-l", "0", "-b", "1152", "-r", "0" }) };
        // Content that selects the other subframe and residual kinds.
        yield return new object[] { C("full-scale noise (verbatim, escaped partitions)", signal: "noise", options: "-8") };
        yield return new object[] { C("noise 32-bit", bits: 32, signal: "noise", frames: 6000, options: "-5") };
        yield return new object[] { C("extremes 32-bit (33-bit side channel)", bits: 32, signal: "extremes", frames: 6000, options: "-8") };
        yield return new object[] { C("extremes 24-bit", bits: 24, signal: "extremes", frames: 6000, options: "-8") };
        yield return new object[] { C("silence (constant subframes)", signal: "silence", options: "-5") };
        yield return new object[] { C("direct current", signal: "dc", options: "-5") };
        yield return new object[] { C("wasted bits", bits: 24, signal: "wasted", options: "-5") };
        // Very short files: shorter than a block, than a partition, than a predictor's warm-up.
        foreach (var frames in new[] { 1, 2, 5, 15, 17, 33 }) yield return new object[] { C($"{frames} samples", frames: frames, options: "-8") };
        // Metadata the decoder must step over: tags, padding, a seek table.
        yield return new object[] { C("tags and padding", options: new[] { "-5", "-T", "ARTIST=someone", "-T", "TITLE=a title", "--padding=5000", "-S", "1s" }) };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Decodes_exactly_what_the_reference_encoder_was_given(Case test)
    {
        var channels = Signal(test);
        var wav = WriteWav(Path.Combine(directory, "in.wav"), channels, test.Rate, test.Bits);
        var flac = Path.Combine(directory, "out.flac");
        ExternalTools.Run("flac", new[] { "--silent", "--force", "-o", flac }.Concat(test.Options).Append(wav).ToArray());

        using (var decoder = new FlacDecoder(File.OpenRead(flac), flac))
        {
            Assert.Equal((test.Rate, test.Channels, test.Bits, (long)test.Frames, true),
                (decoder.Info.SampleRate, decoder.Info.Channels, decoder.Info.BitsPerSample, decoder.Info.TotalSamples, decoder.Info.HasMd5));
            var decoded = DecodeAll(decoder);
            for (var c = 0; c < test.Channels; c++) Assert.Equal(channels[c], decoded[c]);
        }
        // Through the common entry point: the same mono audio as the WAV it was encoded from.
        var fromFlac = AudioFile.Read(flac);
        var fromWav = WavAudio.Read(wav);
        Assert.Equal(fromWav.SampleRate, fromFlac.SampleRate);
        Assert.Equal(fromWav.Samples, fromFlac.Samples);
        Assert.Equal(new AudioInfo(AudioFormat.Flac, test.Rate, test.Channels, test.Frames), AudioFile.Probe(flac));
    }

    [SkippableFact]
    public void A_stream_that_states_neither_length_nor_checksum_decodes()
    {
        var test = new Case("streamed", 16000, 1, 16, 30000, "speech", Array.Empty<string>());
        var channels = Signal(test);
        var wav = WriteWav(Path.Combine(directory, "in.wav"), channels, test.Rate, test.Bits);
        // Written to a pipe, the encoder cannot go back to fill in STREAMINFO's MD5; a live encoder
        // does not know the length either (0 in STREAMINFO's 36-bit total, bytes 21-25 of the file).
        var flac = Path.Combine(directory, "streamed.flac");
        ExternalTools.RunToFile("flac", flac, "--silent", "--stdout", wav);
        var bytes = File.ReadAllBytes(flac);
        bytes[8 + 13] &= 0xF0;
        Array.Clear(bytes, 8 + 14, 4);
        File.WriteAllBytes(flac, bytes);
        using (var decoder = new FlacDecoder(File.OpenRead(flac), flac))
        {
            Assert.Equal((0L, false), (decoder.Info.TotalSamples, decoder.Info.HasMd5));
            Assert.Equal(channels[0], DecodeAll(decoder)[0]);
        }
        Assert.Equal(30000, AudioFile.Probe(flac).Frames);
        Assert.Equal(WavAudio.Read(wav).Samples, AudioFile.Read(flac).Samples);
    }

    [SkippableFact]
    public void Ranges_of_a_long_file_read_like_the_whole_and_features_stream()
    {
        // Ten seconds at 16 kHz in 4096-sample frames: ranges that cross frames, go back a little
        // (the overlap of segmented featurising) and jump back to the start.
        var test = new Case("long", 16000, 1, 16, 160000, "speech", Array.Empty<string>());
        var wav = WriteWav(Path.Combine(directory, "long.wav"), Signal(test), test.Rate, test.Bits);
        var flac = Path.Combine(directory, "long.flac");
        ExternalTools.Run("flac", "--silent", "--force", "-5", "-o", flac, wav);
        var whole = WavAudio.Read(wav).Samples;
        using (var reader = AudioFile.Open(flac))
        {
            foreach (var (first, count) in new (long, int)[] { (0, 10), (5000, 9000), (13000, 4000), (12000, 100), (150000, 20000), (3, 5), (159999, 10), (170000, 10) })
            {
                var expected = whole.Skip((int)Math.Min(first, whole.Length)).Take(count).ToArray();
                Assert.Equal(expected, reader.ReadRange(first, count));
            }
        }
        // Segmented featurising (one segment per second here) gives the WAV's features.
        var frontEnd = new FrontEnd(new FrontEndSettings("mfcc")) { SegmentFrames = 100 };
        Assert.Equal(frontEnd.RawFromFile(wav), frontEnd.RawFromFile(flac));
    }

    [SkippableFact]
    public void A_damaged_checksum_or_truncation_is_reported_with_the_file_and_place()
    {
        var test = new Case("short", 16000, 1, 16, 20000, "speech", Array.Empty<string>());
        var wav = WriteWav(Path.Combine(directory, "in.wav"), Signal(test), test.Rate, test.Bits);
        var flac = Path.Combine(directory, "good.flac");
        ExternalTools.Run("flac", "--silent", "--force", "-5", "--no-padding", "-o", flac, wav);
        var bytes = File.ReadAllBytes(flac);

        // STREAMINFO's MD5 (bytes 26..41 after "fLaC" and the block header) altered: every frame's CRC is fine, the audio is not what was signed.
        var md5 = (byte[])bytes.Clone();
        md5[8 + 18 + 3] ^= 0x40;
        Assert.Contains("MD5", Fails(md5));
        // One flipped bit in the middle of a frame.
        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0x10;
        var message = Fails(flipped);
        Assert.Matches("CRC|frame", message);
        Assert.Contains("byte", message);
        // Cut short.
        Assert.Contains("truncated", Fails(bytes[..(bytes.Length * 2 / 3)]));
        // Not FLAC at all, or only its marker.
        Assert.Contains("not a WAV, FLAC or MP3", Assert.Throws<DataFileException>(() => AudioFile.Decode(Encoding.ASCII.GetBytes("hello, world"), "x.flac")).Message);
        Assert.Contains("x.flac", Fails(Encoding.ASCII.GetBytes("fLaC")));
    }

    private static string Fails(byte[] bytes)
    {
        var error = Assert.Throws<DataFileException>(() => AudioFile.Decode(bytes, "corpus/x.flac"));
        Assert.StartsWith("corpus/x.flac: ", error.Message);
        return error.Message;
    }

    internal static List<long>[] DecodeAll(FlacDecoder decoder)
    {
        var result = Enumerable.Range(0, decoder.Info.Channels).Select(_ => new List<long>()).ToArray();
        int count;
        while ((count = decoder.ReadFrame()) > 0)
            for (var c = 0; c < result.Length; c++) result[c].AddRange(decoder.Channel(c)[..count].ToArray());
        return result;
    }

    /// <summary>Integer samples per channel for a case: each channel its own content, within the bit depth.</summary>
    internal static List<long>[] Signal(Case test)
    {
        var random = new Random(test.Name.Aggregate(17, (h, c) => h * 31 + c));
        long max = (1L << (test.Bits - 1)) - 1, min = -(1L << (test.Bits - 1));
        var channels = new List<long>[test.Channels];
        for (var c = 0; c < test.Channels; c++)
        {
            var samples = new List<long>(test.Frames);
            var pitch = 0.02 + 0.013 * c;
            for (var i = 0; i < test.Frames; i++)
            {
                double value = test.Signal switch
                {
                    "noise" => random.NextDouble() * 2 - 1,
                    "silence" => 0,
                    "dc" => 0.25,
                    "extremes" => (i + c) % 3 == 0 ? -1 : (i % 5 == 0 ? 0.5 : 1),
                    _ => 0.45 * Math.Sin(i * pitch) * (0.6 + 0.4 * Math.Sin(i * 0.0007)) + 0.1 * Math.Sin(i * pitch * 3.1) + 0.02 * (random.NextDouble() - 0.5),
                };
                var sample = (long)Math.Round(value * max);
                if (test.Signal == "extremes" && value == -1) sample = min;
                if (test.Signal == "wasted") sample &= ~0xFFL;
                samples.Add(Math.Clamp(sample, min, max));
            }
            channels[c] = samples;
        }
        return channels;
    }

    /// <summary>
    /// A WAV of the samples: 8-bit unsigned PCM, or WAVE_FORMAT_EXTENSIBLE with the samples shifted up
    /// into 16-, 24- or 32-bit containers and the valid bits declared (how 12- and 20-bit audio is stored).
    /// </summary>
    internal static string WriteWav(string path, List<long>[] channels, int rate, int bits)
    {
        var container = bits <= 8 && bits == 8 ? 8 : bits <= 16 ? 16 : bits <= 24 ? 24 : 32;
        var width = container / 8;
        using var writer = new BinaryWriter(File.Create(path));
        var frames = channels[0].Count;
        var dataBytes = frames * channels.Length * width;
        var extensible = container != 8;
        var fmtSize = extensible ? 40 : 16;
        writer.Write(Encoding.ASCII.GetBytes("RIFF"));
        writer.Write(4 + 8 + fmtSize + 8 + dataBytes + (dataBytes & 1));
        writer.Write(Encoding.ASCII.GetBytes("WAVEfmt "));
        writer.Write(fmtSize);
        writer.Write((ushort)(extensible ? 0xFFFE : 1));
        writer.Write((ushort)channels.Length);
        writer.Write(rate);
        writer.Write(rate * channels.Length * width);
        writer.Write((ushort)(channels.Length * width));
        writer.Write((ushort)container);
        if (extensible)
        {
            uint mask = channels.Length switch { 1 => 0x4, 2 => 0x3, 3 => 0x7, 4 => 0x33, 5 => 0x37, 6 => 0x3F, 8 => 0x63F, _ => 0 };
            writer.Write((ushort)22);
            writer.Write((ushort)bits);
            writer.Write(mask);
            writer.Write(new byte[] { 1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71 });
        }
        writer.Write(Encoding.ASCII.GetBytes("data"));
        writer.Write(dataBytes);
        for (var i = 0; i < frames; i++)
            foreach (var channel in channels)
            {
                var value = channel[i];
                if (container == 8)
                {
                    writer.Write((byte)(value + 128));
                    continue;
                }
                var shifted = value << (container - bits);
                for (var b = 0; b < width; b++) writer.Write((byte)(shifted >> (8 * b)));
            }
        if ((dataBytes & 1) == 1) writer.Write((byte)0);
        return path;
    }
}
