using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
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
/// The MPEG audio reader as a parser of untrusted bytes (issue 23 item 7). Seeds are real encodings
/// (lame, ffmpeg's libmp3lame and libshine with their Info tags, ffmpeg's mp2), chosen at bit rates
/// whose frames all have one length so a seed splits into frames without a parser of our own. Cases
/// rebuild a file from its structure: ID3v2 tags of every version, flag and (lying) size, zero
/// padding, a Xing/Info frame with true or lying counts and a LAME extension with any encoder name,
/// delay and padding, frames dropped, repeated, swapped, cut, with altered headers or bodies, junk
/// between them, ID3v1/APE/junk after them, and truncation. Each case must decode to finite audio or
/// fail with a <see cref="DataFileException"/> naming the file, within 5 s.
/// </summary>
public sealed class Mp3FuzzTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-mp3fuzz-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>A seed: its frames (each one whole frame, Info frame included when the encoder wrote one) and its side-information length (where a Xing tag goes).</summary>
    private sealed record Seed(byte[][] Frames, int SideInfo);

    /// <summary>Encodes with a bit rate that makes every frame <paramref name="frameLength"/> bytes (no padding slots) and splits the result.</summary>
    private Seed Encode(string encoder, int rate, string bitrate, int frameLength, int sideInfo)
    {
        var wav = FlacTests.WriteWav(Path.Combine(directory, encoder + ".wav"), FlacTests.Signal(new FlacTests.Case(encoder, rate, 1, 16, rate / 2, "speech", Array.Empty<string>())), rate, 16);
        var output = Path.Combine(directory, encoder + (encoder == "mp2" ? ".mp2" : ".mp3"));
        if (encoder == "lame")
            ExternalTools.Run("lame", "--quiet", "-b", bitrate, wav, output);
        else
            ExternalTools.Run("ffmpeg", "-v", "error", "-y", "-i", wav, "-c:a", encoder, "-b:a", bitrate + "k", output);
        var bytes = File.ReadAllBytes(output);
        var start = bytes.AsSpan().StartsWith("ID3"u8) ? 10 + (bytes[6] << 21 | bytes[7] << 14 | bytes[8] << 7 | bytes[9]) : 0;
        var audio = bytes[start..];
        Assert.True(audio.Length % frameLength == 0, $"{encoder}: {audio.Length} bytes of frames are not whole {frameLength}-byte frames");
        var frames = audio.Chunk(frameLength).ToArray();
        Assert.All(frames, f => Assert.True(f[0] == 0xFF && (f[1] & 0xE0) == 0xE0, $"{encoder}: a frame does not start with a sync"));
        return new Seed(frames, sideInfo);
    }

    private static byte[] Id3(Random random)
    {
        var body = new byte[random.Next(0, 200)];
        random.NextBytes(body);
        var version = (byte)random.Next(1, 6);
        var flags = (byte)(random.Next(2) == 0 ? 0 : random.Next(256));
        var size = random.Next(6) switch { 0 => random.Next(0, 400), 1 => int.MaxValue & 0x0FFFFFFF, _ => body.Length };
        var header = new byte[] { (byte)'I', (byte)'D', (byte)'3', version, 0, flags, (byte)(size >> 21 & 0x7F), (byte)(size >> 14 & 0x7F), (byte)(size >> 7 & 0x7F), (byte)(size & 0x7F) };
        if (random.Next(10) == 0) header[6 + random.Next(4)] |= 0x80; // not syncsafe
        var footer = (flags & 0x10) != 0 && random.Next(2) == 0 ? "3DI"u8.ToArray().Concat(header[3..]).ToArray() : Array.Empty<byte>();
        return header.Concat(body).Concat(footer).ToArray();
    }

    /// <summary>A Xing/Info frame with the header of <paramref name="model"/>: counts true or lying, a LAME extension with any encoder name, delay and padding.</summary>
    private static byte[] Xing(Random random, byte[] model, int sideInfo, int frames, int bytes)
    {
        var frame = new byte[model.Length];
        model.AsSpan(0, 4).CopyTo(frame);
        frame[1] |= 1; // no CRC
        var at = 4 + sideInfo;
        if (at + 8 + 12 + 100 + 4 + 36 > frame.Length) return frame;
        (random.Next(2) == 0 ? "Info"u8 : "Xing"u8).CopyTo(frame.AsSpan(at));
        var flags = random.Next(4) == 0 ? (uint)random.Next(16) : 15u;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(at + 4), flags);
        var p = at + 8;
        uint Lie(int truth) => random.Next(5) switch { 0 => 0u, 1 => uint.MaxValue, 2 => (uint)random.Next(), _ => (uint)truth };
        if ((flags & 1) != 0) { BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(p), Lie(frames)); p += 4; }
        if ((flags & 2) != 0) { BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(p), Lie(bytes)); p += 4; }
        if ((flags & 4) != 0) { random.NextBytes(frame.AsSpan(p, 100)); p += 100; }
        if ((flags & 8) != 0) p += 4;
        var encoder = random.Next(5) switch { 0 => "LAME3.100", 1 => "Lavc59.37", 2 => "GOGO", 3 => "\0\0\0\0\0", _ => new string((char)random.Next(32, 127), 9) };
        System.Text.Encoding.ASCII.GetBytes(encoder).AsSpan(0, Math.Min(9, encoder.Length)).CopyTo(frame.AsSpan(p));
        var delay = random.Next(3) == 0 ? random.Next(4096) : 576;
        var padding = random.Next(4096);
        frame[p + 21] = (byte)(delay >> 4);
        frame[p + 22] = (byte)((delay & 0x0F) << 4 | padding >> 8);
        frame[p + 23] = (byte)padding;
        return frame;
    }

    /// <summary>A file rebuilt from <paramref name="seed"/>'s structure with damage drawn from <paramref name="random"/>.</summary>
    private static byte[] Build(Seed seed, Random random)
    {
        var frames = seed.Frames.Select(f => (byte[])f.Clone()).ToList();
        for (var operations = random.Next(0, 4); operations > 0 && frames.Count > 0; operations--)
        {
            var i = random.Next(frames.Count);
            var kind = random.Next(8);
            if (kind is 3 or 4 && frames[i].Length < 5) continue; // a piece already cut to less than a header
            switch (kind)
            {
                case 0: frames.RemoveAt(i); break;
                case 1: frames.Insert(i, (byte[])frames[random.Next(frames.Count)].Clone()); break;
                case 2: (frames[i], frames[^1]) = (frames[^1], frames[i]); break;
                case 3: frames[i][1 + random.Next(3)] ^= (byte)random.Next(1, 256); break; // version, layer, bit rate, rate, padding, mode
                case 4: random.NextBytes(frames[i].AsSpan(4 + random.Next(frames[i].Length - 4), 1)); break;
                case 5: frames.Insert(i, Enumerable.Range(0, random.Next(1, 40)).Select(_ => (byte)(random.Next(3) == 0 ? 0xFF : random.Next(256))).ToArray()); break;
                case 6: frames[i] = frames[i][..random.Next(frames[i].Length)]; break;
                default: frames[i] = new byte[frames[i].Length]; frames[i][0] = 0xFF; frames[i][1] = (byte)(0xE0 | random.Next(32)); frames[i][2] = (byte)random.Next(256); frames[i][3] = (byte)random.Next(256); break;
            }
        }
        var audio = new List<byte>();
        if (random.Next(3) == 0 && frames.Count > 0)
        {
            var total = frames.Sum(f => f.Length);
            var xing = Xing(random, seed.Frames[0], seed.SideInfo, frames.Count, total + seed.Frames[0].Length);
            if (random.Next(2) == 0 && frames.Count > 0) frames[0] = xing; else frames.Insert(0, xing);
        }
        foreach (var frame in frames) audio.AddRange(frame);
        var head = new List<byte>();
        for (var tags = random.Next(3) == 0 ? random.Next(1, 3) : 0; tags > 0; tags--) head.AddRange(Id3(random));
        if (random.Next(10) == 0) head.AddRange(new byte[random.Next(1, 300)]);
        var tail = random.Next(6) switch
        {
            0 => "TAG"u8.ToArray().Concat(new byte[125]).ToArray(),
            1 => "APETAGEX"u8.ToArray().Concat(new byte[24]).ToArray(),
            2 => Enumerable.Range(0, random.Next(1, 500)).Select(_ => (byte)random.Next(256)).ToArray(),
            _ => Array.Empty<byte>(),
        };
        var bytes = head.Concat(audio).Concat(tail).ToArray();
        return random.Next(8) == 0 ? bytes[..random.Next(bytes.Length + 1)] : bytes;
    }

    [SkippableFact]
    public void Structure_aware_mpeg_files_decode_or_fail_cleanly_and_quickly()
    {
        var seeds = new[]
        {
            Encode("lame", 48000, "64", 192, 17),       // MPEG-1 layer III, LAME Info tag (144 * 64000 / 48000 = 192 bytes)
            Encode("libmp3lame", 16000, "64", 288, 9),  // MPEG-2 layer III, ID3v2.4 and a Lavc Info tag (72 * 64000 / 16000)
            Encode("libshine", 48000, "64", 192, 17),   // shine's frames behind a Lavc Info tag
            Encode("mp2", 48000, "64", 192, 17),        // MPEG-1 layer II, no tag
        };
        var iterations = FixedSeedFuzz.Budget(1500);
        var decoded = 0;
        var watch = Stopwatch.StartNew();
        Gen.Int.SampleFixed(value =>
        {
            var random = new Random(value);
            var bytes = Build(seeds[random.Next(seeds.Length)], random);
            var run = Task.Run(() =>
            {
                try
                {
                    var audio = AudioFile.Decode(bytes, "clips/x.mp3");
                    Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s), $"sample {s}"));
                    System.Threading.Interlocked.Increment(ref decoded);
                }
                catch (DataFileException e)
                {
                    Assert.StartsWith("clips/x.mp3: ", e.Message);
                }
            });
            Assert.True(run.Wait(TimeSpan.FromSeconds(5)), "the decoder did not return within 5 s");
            run.GetAwaiter().GetResult();
        }, iterations, "0000MP3struct");
        Console.WriteLine($"MP3 structure fuzz: {iterations} cases, {decoded} decoded, {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(decoded, 1, iterations - 1);
    }

    [SkippableFact]
    public void Every_mpeg_audio_encoder_ffmpeg_lists_is_cross_checked_against_mpg123()
    {
        // Mp3TimingTests compares each encoder's files with mpg123 and ffmpeg; a new encoder in Debian's
        // ffmpeg (ffmpeg -encoders) must join that list, or this fails.
        var listing = Path.Combine(directory, "encoders.txt");
        ExternalTools.RunToFile("ffmpeg", listing, "-hide_banner", "-encoders");
        var mpeg = File.ReadAllLines(listing)
            .Select(line => line.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 2 && fields[0].StartsWith('A') && (fields[1] is "mp2" or "mp3" or "mp2fixed" || string.Join(' ', fields[2..]).Contains("MPEG audio layer", StringComparison.OrdinalIgnoreCase)))
            .Select(fields => fields[1]).ToArray();
        Assert.NotEmpty(mpeg);
        var tested = Mp3TimingTests.Cases().Select(c => (string)c[0]).ToHashSet();
        Assert.All(mpeg, encoder => Assert.Contains(encoder, tested));
    }
}
