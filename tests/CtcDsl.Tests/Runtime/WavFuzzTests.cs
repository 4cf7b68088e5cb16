using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using CsCheck;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// The WAV reader as a parser of untrusted bytes: the layouts real corpora contain decode correctly,
/// and structure-aware mutations (header fields, chunk sizes, inserted chunks, truncation, flipped
/// bytes) either decode to finite audio or fail with a <see cref="DataFileException"/> naming the file,
/// each within a time limit: no hang, no framework exception, no allocation beyond the file's size.
/// </summary>
public class WavFuzzTests
{
    /// <summary>Cases per fuzz run (fixed seed); a longer run: CTCDSL_FUZZ_ITERATIONS=200000 dotnet test --filter WavFuzzTests.</summary>
    public static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("CTCDSL_FUZZ_ITERATIONS"), out var n) ? n : 5000;

    /// <summary>A WAV file built field by field, so tests and the fuzzer can bend any field.</summary>
    internal sealed record WavLayout(ushort Tag, ushort Channels, uint Rate, ushort Bits, byte[] Data, bool Extensible = false, ushort SubTag = 1,
        uint? DataSize = null, IReadOnlyList<(string Id, byte[] Body, bool Pad)>? Before = null)
    {
        public byte[] Build()
        {
            using var stream = new MemoryStream();
            using var w = new BinaryWriter(stream);
            w.Write(Encoding.ASCII.GetBytes("RIFF"));
            w.Write(0u); // patched below
            w.Write(Encoding.ASCII.GetBytes("WAVE"));
            foreach (var (id, body, pad) in Before ?? Array.Empty<(string, byte[], bool)>())
            {
                w.Write(Encoding.ASCII.GetBytes(id));
                w.Write((uint)body.Length);
                w.Write(body);
                if (pad && body.Length % 2 == 1) w.Write((byte)0);
            }
            w.Write(Encoding.ASCII.GetBytes("fmt "));
            w.Write(Extensible ? 40u : 16u);
            w.Write(Extensible ? (ushort)0xFFFE : Tag);
            w.Write(Channels);
            w.Write(Rate);
            w.Write(Rate * Channels * (uint)(Bits / 8));
            w.Write((ushort)(Channels * (Bits / 8)));
            w.Write(Bits);
            if (Extensible)
            {
                w.Write((ushort)22);
                w.Write(Bits);
                w.Write(0u);
                w.Write(SubTag);
                w.Write(new byte[] { 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71 });
            }
            w.Write(Encoding.ASCII.GetBytes("data"));
            w.Write(DataSize ?? (uint)Data.Length);
            w.Write(Data);
            var bytes = stream.ToArray();
            BitConverter.GetBytes((uint)(bytes.Length - 8)).CopyTo(bytes, 4);
            return bytes;
        }
    }

    private static byte[] Floats(params float[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Shorts(params short[] values) => values.SelectMany(BitConverter.GetBytes).ToArray();

    private static readonly byte[] Tone = Shorts(Enumerable.Range(0, 400).Select(i => (short)(10000 * Math.Sin(i * 0.1))).ToArray());

    private static MonoAudio Decode(byte[] bytes) => WavAudio.Decode(bytes, "corpus/x.wav");

    private static string Fails(byte[] bytes) => Assert.Throws<DataFileException>(() => Decode(bytes)).Message;

    [Fact]
    public void Layouts_from_real_corpora_decode()
    {
        var plain = Decode(new WavLayout(1, 1, 16000, 16, Tone).Build());
        Assert.Equal(400, plain.Samples.Length);

        // WAVE_FORMAT_EXTENSIBLE with the IEEE-float sub-format (once read as silence) and with PCM.
        var extensibleFloat = Decode(new WavLayout(0, 2, 48000, 32, Floats(0.5f, -0.25f, 0.1f, 0.3f), Extensible: true, SubTag: 3).Build());
        Assert.Equal(new[] { 0.125f, 0.2f }, extensibleFloat.Samples);
        var extensiblePcm = Decode(new WavLayout(0, 1, 16000, 16, Tone, Extensible: true, SubTag: 1).Build());
        Assert.Equal(plain.Samples, extensiblePcm.Samples);
        Assert.Equal(new[] { 0.5f }, Decode(new WavLayout(3, 1, 8000, 64, BitConverter.GetBytes(0.5)).Build()).Samples);

        // An odd-sized chunk before the data, with and without its pad byte.
        var odd = new[] { ("LIST", new byte[] { 1, 2, 3 }, true) };
        Assert.Equal(plain.Samples, Decode(new WavLayout(1, 1, 16000, 16, Tone, Before: odd).Build()).Samples);
        var unpadded = new[] { ("LIST", new byte[] { 1, 2, 3 }, false) };
        Assert.Equal(plain.Samples, Decode(new WavLayout(1, 1, 16000, 16, Tone, Before: unpadded).Build()).Samples);

        // A streaming writer's data size (0 or 0xFFFFFFFF, never patched): read to the end of the file.
        Assert.Equal(plain.Samples, Decode(new WavLayout(1, 1, 16000, 16, Tone, DataSize: 0).Build()).Samples);
        Assert.Equal(plain.Samples, Decode(new WavLayout(1, 1, 16000, 16, Tone, DataSize: uint.MaxValue).Build()).Samples);
        // A partial last frame (a write cut mid-sample) is left out.
        Assert.Equal(400, Decode(new WavLayout(1, 1, 16000, 16, Tone.Append((byte)7).ToArray()).Build()).Samples.Length);
    }

    [Fact]
    public void Hostile_files_fail_naming_the_file_and_the_reason()
    {
        // A chunk size of 0xFFFFFFF8 ("negative") once made the reader loop for ever.
        Assert.Contains("claims 4294967288 bytes", Fails(new WavLayout(1, 1, 16000, 16, Tone, Before: new[] { ("LIST", Array.Empty<byte>(), true) }).Build()
            .Select((b, i) => i is >= 16 and < 20 ? BitConverter.GetBytes(0xFFFFFFF8u)[i - 16] : b).ToArray()));
        Assert.Contains("truncated WAV file", Fails(new WavLayout(1, 1, 16000, 16, Tone, DataSize: 0x7FFFFFFF).Build()));
        Assert.Contains("0 channels", Fails(new WavLayout(1, 0, 16000, 16, Tone).Build()));
        Assert.Contains("sample rate of 0 Hz", Fails(new WavLayout(1, 1, 0, 16, Tone).Build()));
        Assert.Contains("non-finite", Fails(new WavLayout(3, 1, 16000, 32, Floats(0.1f, float.NaN)).Build()));
        Assert.Contains("non-finite", Fails(new WavLayout(3, 1, 16000, 32, Floats(float.PositiveInfinity)).Build()));
        Assert.Contains("unsupported WAV encoding (format tag 2)", Fails(new WavLayout(0, 1, 16000, 16, Tone, Extensible: true, SubTag: 2).Build()));
        Assert.Contains("holds no samples", Fails(new WavLayout(1, 2, 16000, 16, new byte[3]).Build()));
        var folder = Directory.CreateTempSubdirectory("ctcdsl-folder.wav").FullName;
        try
        {
            Assert.Contains("is a folder", Assert.Throws<DataFileException>(() => WavAudio.Read(folder)).Message);
        }
        finally
        {
            Directory.Delete(folder);
        }
        Assert.Contains("cannot read", Assert.Throws<DataFileException>(() => WavAudio.Read("/nonexistent/x.wav")).Message);
    }

    /// <summary>Mutations of valid files at the level of their structure.</summary>
    private static readonly Gen<byte[]> Mutated =
        Gen.Select(
            Gen.OneOf(Gen.Const((ushort)1), Gen.Const((ushort)3), Gen.UShort),
            Gen.OneOf(Gen.Const((ushort)1), Gen.Const((ushort)2), Gen.UShort[0, 9]),
            Gen.OneOf(Gen.Const(16000u), Gen.Const(0u), Gen.UInt),
            Gen.OneOf(Gen.Const((ushort)16), Gen.Const((ushort)24), Gen.Const((ushort)32), Gen.Const((ushort)8), Gen.UShort[0, 70]),
            Gen.Byte.Array[0, 64],
            Gen.Bool,
            Gen.OneOf(Gen.Const((uint?)null), Gen.UInt.Select(u => (uint?)u), Gen.Const((uint?)uint.MaxValue)),
            Gen.Int[0, 6])
        .Select((tag, channels, rate, bits, data, extensible, dataSize, mutation) => (tag, channels, rate, bits, data, extensible, dataSize, mutation))
        .SelectMany(t => Gen.Int[0, 1000].Select(Gen.UInt, Gen.Byte, (position, value, flip) =>
        {
            var layout = new WavLayout(t.tag, t.channels, t.rate, t.bits, t.data, t.extensible, (ushort)(t.tag % 4), t.dataSize,
                t.mutation == 5 ? new[] { ("junk", new byte[value % 7], (value & 1) == 0) } : null);
            var bytes = layout.Build();
            var at = bytes.Length == 0 ? 0 : position % bytes.Length;
            return t.mutation switch
            {
                0 => bytes,
                1 => bytes[..at], // truncated anywhere
                2 => bytes.Select((b, i) => i == at ? (byte)(b ^ flip) : b).ToArray(), // one byte flipped
                3 => bytes.Select((b, i) => i >= at && i < at + 4 ? BitConverter.GetBytes(value)[i - at] : b).ToArray(), // a 32-bit field overwritten
                4 => bytes.Concat(BitConverter.GetBytes(value)).Concat(Encoding.ASCII.GetBytes("data")).ToArray(), // trailing garbage
                _ => bytes,
            };
        }));

    [Fact]
    public void Structure_aware_mutations_decode_or_fail_cleanly_and_quickly()
    {
        Mutated.SampleFixed(bytes =>
        {
            var run = Task.Run(() =>
            {
                try
                {
                    var audio = Decode(bytes);
                    Assert.True(audio.SampleRate > 0);
                    Assert.True(audio.Samples.Length * 4L <= bytes.Length * 4L, "more samples than the file can hold");
                    Assert.All(audio.Samples, s => Assert.True(float.IsFinite(s)));
                }
                catch (DataFileException e)
                {
                    Assert.Contains("corpus/x.wav", e.Message);
                }
            });
            Assert.True(run.Wait(TimeSpan.FromSeconds(5)), "the reader did not return within 5 s");
            run.GetAwaiter().GetResult();
        }, iterations: Iterations, seed: "0000YYYYzzzz");
    }
}
