using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using CsCheck;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Audio.Flac;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// The FLAC decoder as a parser of untrusted bytes. Seeds are real encodings (Debian's <c>flac</c>;
/// mono and stereo, 8 to 32 bits, fixed and LPC predictors, tags). Mutations follow the format: a
/// frame's body altered and its CRC-16 recomputed (so the subframe parsers, not the checksum, meet
/// the damage), header fields altered with both CRCs recomputed, STREAMINFO and metadata block
/// headers rewritten, frames dropped, repeated or swapped, truncation, junk, plain bit flips. Each
/// case must decode to finite audio in [−1, 1] or fail with a <see cref="DataFileException"/> naming
/// the file, within a time limit.
/// </summary>
public sealed class FlacFuzzTests : IDisposable
{
    /// <summary>Cases per run (fixed seed); a longer run: CTCDSL_FUZZ_ITERATIONS=200000 dotnet test --filter FlacFuzzTests.</summary>
    private static readonly int Iterations = WavFuzzTests.Iterations;

    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-flacfuzz-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>A seed file and where its frames start (the last offset is the end of the stream).</summary>
    private sealed record Seed(byte[] Bytes, long[] Frames);

    private Seed Encode(string name, int channels, int bits, int frames, string signal, params string[] options)
    {
        var test = new FlacTests.Case(name, 16000, channels, bits, frames, signal, options);
        var wav = FlacTests.WriteWav(Path.Combine(directory, name + ".wav"), FlacTests.Signal(test), test.Rate, bits);
        var flac = Path.Combine(directory, name + ".flac");
        ExternalTools.Run("flac", new[] { "--silent", "--force", "-o", flac }.Concat(options).Append(wav).ToArray());
        using var decoder = new FlacDecoder(File.OpenRead(flac), flac);
        var starts = new List<long> { decoder.BytePosition };
        while (decoder.ReadFrame() > 0) starts.Add(decoder.BytePosition);
        return new Seed(File.ReadAllBytes(flac), starts.ToArray());
    }

    [SkippableFact]
    public void Structure_aware_mutations_decode_or_fail_cleanly_and_quickly()
    {
        var seeds = new[]
        {
            Encode("lpc", 1, 16, 3000, "speech", "-8", "-b", "576"),
            Encode("stereo", 2, 16, 2500, "speech", "-5", "-b", "512"),
            Encode("fixed", 2, 24, 2000, "speech", "-0", "-b", "256"),
            Encode("noise", 1, 8, 2000, "noise", "-5", "-b", "192"),
            Encode("wide", 2, 32, 1200, "extremes", "-8", "-b", "300", "-T", "TITLE=x"),
            Encode("wasted", 1, 24, 1500, "wasted", "--lax", "-l", "32", "-r", "8", "-b", "384"),
        };
        var cases = Gen.Int[0, seeds.Length - 1].SelectMany(s => Gen.Int[0, 11].Select(Gen.Int, Gen.Int, Gen.Byte, (kind, a, b, value) => Mutate(seeds[s], kind, a & int.MaxValue, b & int.MaxValue, value)));
        var decoded = 0;
        cases.SampleFixed(bytes =>
        {
            var run = Task.Run(() =>
            {
                try
                {
                    var audio = AudioFile.Decode(bytes, "corpus/x.flac");
                    Assert.True(audio.SampleRate > 0);
                    Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s) && s >= -1 && s <= 1, $"sample {s}"));
                    System.Threading.Interlocked.Increment(ref decoded);
                }
                catch (DataFileException e)
                {
                    Assert.StartsWith("corpus/x.flac: ", e.Message);
                }
            });
            Assert.True(run.Wait(TimeSpan.FromSeconds(5)), "the decoder did not return within 5 s");
            run.GetAwaiter().GetResult();
        }, iterations: Iterations, seed: "0000FLACfuzz");
        // The mutations must not all be refused at the door: some (metadata, trailing bytes, harmless bits) still decode.
        Assert.InRange(decoded, 1, Iterations - 1);
    }

    private static byte[] Mutate(Seed seed, int kind, int a, int b, byte value)
    {
        var bytes = (byte[])seed.Bytes.Clone();
        var frames = seed.Frames.Length - 1;
        var frame = a % frames;
        var (start, end) = ((int)seed.Frames[frame], (int)seed.Frames[frame + 1]);
        switch (kind)
        {
            case 0: // a byte of a frame's body changed, CRC-16 recomputed
            case 1:
            {
                var header = HeaderLength(bytes, start);
                var at = start + header + 1 + b % Math.Max(1, end - start - header - 3);
                if (kind == 0) bytes[at] ^= (byte)(1 << (value % 8));
                else bytes[at] = value;
                RepairCrc16(bytes, start, end);
                return bytes;
            }
            case 2: // a frame header field changed (block size, rate, channels, depth codes), both CRCs recomputed
            {
                var at = start + 2 + b % 2;
                bytes[at] ^= value;
                var header = HeaderLength(bytes, start);
                if (start + header < end - 2)
                {
                    bytes[start + header] = Crc8(bytes.AsSpan(start, header));
                    RepairCrc16(bytes, start, end);
                }
                return bytes;
            }
            case 3: // a STREAMINFO byte changed (block sizes, rate, channels, depth, length, MD5)
                bytes[8 + b % 34] ^= (byte)(value == 0 ? 1 : value);
                return bytes;
            case 4: // a metadata block header rewritten (type, last flag, length)
                bytes[4 + b % 4] = value;
                return bytes;
            case 5: // a frame dropped
                return bytes[..start].Concat(bytes[end..]).ToArray();
            case 6: // a frame repeated
                return bytes[..end].Concat(bytes[start..end]).Concat(bytes[end..]).ToArray();
            case 7: // two frames swapped
            {
                var other = b % frames;
                var (s2, e2) = ((int)seed.Frames[other], (int)seed.Frames[other + 1]);
                if (other <= frame) return bytes;
                return bytes[..start].Concat(bytes[s2..e2]).Concat(bytes[end..s2]).Concat(bytes[start..end]).Concat(bytes[e2..]).ToArray();
            }
            case 8: // truncated anywhere
                return bytes[..(b % bytes.Length)];
            case 9: // junk appended
                return bytes.Concat(Enumerable.Range(0, 1 + b % 200).Select(i => (byte)(value * (i + 1)))).ToArray();
            case 10: // random bits flipped anywhere (the CRCs catch them)
                for (var i = 0; i < 1 + value % 4; i++) bytes[(int)(((long)b + i * 7919L) % bytes.Length)] ^= (byte)(1 << ((a + i) % 8));
                return bytes;
            default: // a 32-bit field overwritten in a frame body, CRC-16 recomputed (lengths, parameters, orders at random)
            {
                var header = HeaderLength(bytes, start);
                var at = start + header + 1 + b % Math.Max(1, end - start - header - 7);
                BitConverter.GetBytes((uint)(a * 2654435761u)).CopyTo(bytes, Math.Min(at, end - 6));
                RepairCrc16(bytes, start, end);
                return bytes;
            }
        }
    }

    /// <summary>Bytes of a frame header before its CRC-8: sync and codes, the UTF-8 coded number, and the optional block size and rate.</summary>
    private static int HeaderLength(byte[] bytes, int start)
    {
        var first = bytes[start + 4];
        var number = first < 0x80 ? 1 : first >= 0xFE ? 7 : first >= 0xFC ? 6 : first >= 0xF8 ? 5 : first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2;
        var blockCode = bytes[start + 2] >> 4;
        var rateCode = bytes[start + 2] & 0xF;
        return 4 + number + (blockCode == 6 ? 1 : blockCode == 7 ? 2 : 0) + (rateCode == 12 ? 1 : rateCode is 13 or 14 ? 2 : 0);
    }

    private static void RepairCrc16(byte[] bytes, int start, int end)
    {
        ushort crc = 0;
        for (var i = start; i < end - 2; i++)
        {
            crc ^= (ushort)(bytes[i] << 8);
            for (var bit = 0; bit < 8; bit++) crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x8005 : crc << 1);
        }
        bytes[end - 2] = (byte)(crc >> 8);
        bytes[end - 1] = (byte)crc;
    }

    private static byte Crc8(ReadOnlySpan<byte> bytes)
    {
        byte crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++) crc = (byte)((crc & 0x80) != 0 ? (crc << 1) ^ 0x07 : crc << 1);
        }
        return crc;
    }
}
