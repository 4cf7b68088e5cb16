using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// Telling audio formats apart does not guess (issue 23 item 4): after an ID3v2 tag — v2.3 or v2.4,
/// with the v2.4 footer, with the unsynchronisation flag — only a FLAC stream or consecutive MPEG
/// frames are read; random bytes, an M4A file or a lone frame sync are refused naming the file.
/// </summary>
public sealed class AudioSniffTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-sniff-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>An ID3v2 tag of one text frame: version 3 or 4, with a footer (v2.4) and the unsynchronisation flag as asked.</summary>
    private static byte[] Id3(int version, bool footer, bool unsynchronised)
    {
        var text = "\u0003a title"u8.ToArray();
        var frame = "TIT2"u8.ToArray()
            .Concat(version == 4 ? new byte[] { 0, 0, 0, (byte)text.Length } : BitConverter.GetBytes(text.Length).Reverse())
            .Concat(new byte[] { 0, 0 }).Concat(text).ToArray();
        var body = frame.Concat(new byte[37]).ToArray(); // padding, as taggers leave
        var size = new[] { (byte)(body.Length >> 21 & 0x7F), (byte)(body.Length >> 14 & 0x7F), (byte)(body.Length >> 7 & 0x7F), (byte)(body.Length & 0x7F) };
        var flags = (byte)((unsynchronised ? 0x80 : 0) | (footer ? 0x10 : 0));
        var header = "ID3"u8.ToArray().Concat(new byte[] { (byte)version, 0, flags }).Concat(size).ToArray();
        var tail = footer ? "3DI"u8.ToArray().Concat(new byte[] { (byte)version, 0, flags }).Concat(size).ToArray() : Array.Empty<byte>();
        return header.Concat(body).Concat(tail).ToArray();
    }

    public static TheoryData<int, bool, bool> Tags => new() { { 3, false, false }, { 3, false, true }, { 4, false, false }, { 4, true, false }, { 4, true, true } };

    private byte[] Mp3() => File.ReadAllBytes(Mp3TimingTests.Encode(directory, "lame", 16000, 1, 12000));

    private byte[] Flac()
    {
        var wav = FlacTests.WriteWav(Path.Combine(directory, "f.wav"), FlacTests.Signal(new FlacTests.Case("f", 16000, 1, 16, 5000, "speech", Array.Empty<string>())), 16000, 16);
        var flac = Path.Combine(directory, "f.flac");
        ExternalTools.Run("flac", "--silent", "--force", "-o", flac, wav);
        return File.ReadAllBytes(flac);
    }

    [SkippableTheory]
    [MemberData(nameof(Tags))]
    public void Audio_after_an_id3v2_tag_decodes_as_without_it(int version, bool footer, bool unsynchronised)
    {
        var tag = Id3(version, footer, unsynchronised);
        foreach (var (audio, format) in new[] { (Mp3(), AudioFormat.Mp3), (Flac(), AudioFormat.Flac) })
        {
            var path = Path.Combine(directory, "tagged");
            File.WriteAllBytes(path, tag.Concat(audio).ToArray());
            Assert.Equal(format, AudioFile.Detect(path));
            Assert.Equal(AudioFile.Decode(audio, "plain").Samples, AudioFile.Read(path).Samples);
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Tags))]
    public void Other_bytes_after_an_id3v2_tag_are_refused_by_name(int version, bool footer, bool unsynchronised)
    {
        var tag = Id3(version, footer, unsynchronised);
        var random = new byte[20000];
        new Random(23).NextBytes(random);
        random[0] = 0x17; // not a frame sync at the start
        var wav = FlacTests.WriteWav(Path.Combine(directory, "m.wav"), FlacTests.Signal(new FlacTests.Case("m", 16000, 1, 16, 16000, "speech", Array.Empty<string>())), 16000, 16);
        var m4a = Path.Combine(directory, "m.m4a");
        ExternalTools.Run("ffmpeg", "-v", "error", "-y", "-i", wav, "-c:a", "aac", m4a);
        // A frame header (MPEG-1 layer III, 128 kbit/s, 44.1 kHz) followed by bytes that are not its frame's successor.
        var lone = new byte[] { 0xFF, 0xFB, 0x90, 0x64 }.Concat(random).ToArray();
        foreach (var (what, bytes) in new[] { ("random", random), ("m4a", File.ReadAllBytes(m4a)), ("lone header", lone) })
        {
            var path = Path.Combine(directory, $"bad {what}.mp3");
            File.WriteAllBytes(path, tag.Concat(bytes).ToArray());
            var message = Assert.Throws<DataFileException>(() => AudioFile.Read(path)).Message;
            Assert.StartsWith(path + ": not a valid MP3", message);
            Assert.StartsWith("x.mp3: not a valid MP3", Assert.Throws<DataFileException>(() => AudioFile.Decode(tag.Concat(bytes).ToArray(), "x.mp3")).Message);
        }
    }

    [Fact]
    public void A_frame_sync_alone_is_not_mp3()
    {
        var random = new byte[5000];
        new Random(7).NextBytes(random);
        var bytes = new byte[] { 0xFF, 0xFB, 0x90, 0x64 }.Concat(random).ToArray();
        Assert.StartsWith("junk.bin: not a valid MP3 file: the MPEG frame header at byte 0 is not followed", Assert.Throws<DataFileException>(() => AudioFile.Decode(bytes, "junk.bin")).Message);
        // One whole frame and nothing after it: the reference decoders decode nothing, and neither do we.
        var single = new byte[] { 0xFF, 0xFB, 0x90, 0x64 }.Concat(new byte[413]).ToArray();
        Assert.Contains("a single MPEG audio frame header", Assert.Throws<DataFileException>(() => AudioFile.Decode(single, "one.mp3")).Message);
    }
}
