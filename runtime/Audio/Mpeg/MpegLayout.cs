using System;
using System.IO;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.Audio.Mpeg;

/// <summary>
/// Where an MPEG audio file's frames lie, found by stepping from header to header without decoding:
/// the ID3v2 tags before them, the Xing/Info frame, the audio frames and what follows (an ID3v1 or
/// APE tag). Used to tell MP3 from other bytes (<see cref="Sniff"/>) and to time the decoded audio as
/// the reference decoders do.
/// </summary>
/// <param name="TagFrameStart">Offset of the Xing/Info frame, or of the first audio frame when there is none.</param>
/// <param name="AudioStart">Offset of the first audio frame.</param>
/// <param name="AudioEnd">Offset just after the last whole audio frame.</param>
/// <param name="First">The first audio frame's header (the Xing/Info frame's when there is no audio frame).</param>
/// <param name="Frames">Audio frames found (the Xing/Info frame not counted).</param>
/// <param name="Tag">The Xing/Info tag, or null.</param>
internal sealed record MpegLayout(long TagFrameStart, long AudioStart, long AudioEnd, MpegFrameHeader First, long Frames, XingTag? Tag)
{
    /// <summary>Consecutive frame headers, each where the previous frame's length puts it, that make bytes MP3 (two when the file ends after the second).</summary>
    public const int FramesToSniff = 3;

    /// <summary>The most ID3v2 tags looked past (files with several exist; a loop of them does not).</summary>
    private const int MaxId3Tags = 8;

    /// <summary>The most zero bytes accepted between the ID3v2 tag and the first frame (padding some taggers leave outside the tag).</summary>
    private const int MaxZeroPadding = 1 << 16;

    /// <summary>
    /// The format of bytes that start with an ID3v2 tag or an MPEG frame sync: FLAC when a <c>fLaC</c>
    /// marker follows the tag, MP3 when <see cref="FramesToSniff"/> consecutive frame headers do.
    /// </summary>
    /// <exception cref="DataFileException">Anything else: random bytes after a tag, another container, a lone header.</exception>
    public static AudioFormat Sniff(Stream stream, string name)
    {
        var at = SkipId3(stream, name, out var tagged);
        var head = new byte[4];
        var got = ReadAt(stream, at, head);
        if (got == 4 && head.AsSpan().SequenceEqual("fLaC"u8)) return AudioFormat.Flac;
        var first = FirstFrame(stream, at, name, tagged);
        CheckSequence(stream, first, name);
        return AudioFormat.Mp3;
    }

    /// <summary>The layout of an MP3 stream (see the record's remarks).</summary>
    /// <exception cref="DataFileException">The bytes are not a sequence of MPEG audio frames, or the file is shorter than its Xing/Info tag states.</exception>
    public static MpegLayout Scan(Stream stream, string name)
    {
        var at = SkipId3(stream, name, out var tagged);
        var start = FirstFrame(stream, at, name, tagged);
        var header = CheckSequence(stream, start, name);
        var first = new byte[header.Length];
        var got = ReadAt(stream, start, first);
        var tag = XingTag.Find(header, first.AsSpan(0, got));
        var audioStart = tag is null ? start : start + header.Length;
        var (frames, end, cut) = CountFrames(stream, audioStart, header);
        if (frames > 0)
        {
            ReadAt(stream, audioStart, first.AsSpan(0, 4));
            MpegFrameHeader.TryParse(first, out header);
        }
        if (tag?.Frames is { } declared && frames < declared)
            throw new DataFileException($"{name}: truncated MP3: its {Describe(tag)} tag states {declared} audio frames and the file holds {frames}{(cut ? " and part of one" : "")} ({(declared - frames) * header.SamplesPerFrame} samples missing).");
        var present = stream.Length - start;
        if (tag?.Bytes is { } bytes && present < bytes)
            throw new DataFileException($"{name}: truncated MP3: its {Describe(tag)} tag states {bytes} bytes of audio and {present} are present.");
        if (cut)
            throw new DataFileException($"{name}: truncated MP3: the frame at byte {end} is cut short by the end of the file (frame {frames + 1} of a file that states no length).");
        return new MpegLayout(start, audioStart, end, header, frames, tag);
    }

    private static string Describe(XingTag tag) => tag.Encoder is { } encoder ? $"Xing/Info ({encoder})" : "Xing/Info";

    /// <summary>The offset after the ID3v2 tags at the start (0 without one).</summary>
    private static long SkipId3(Stream stream, string name, out bool tagged)
    {
        long at = 0;
        tagged = false;
        var header = new byte[10];
        for (var i = 0; i < MaxId3Tags; i++)
        {
            if (ReadAt(stream, at, header) < 10 || header[0] != 'I' || header[1] != 'D' || header[2] != '3') break;
            // ID3v2.2-2.4: a major version and revision below 0xFF and a size of four 7-bit bytes.
            // Unsynchronisation (flag 0x80) changes the tag's inside, not its stated size; a v2.4
            // footer (flag 0x10) adds 10 bytes after it.
            if (header[3] is < 2 or > 4 || header[4] == 0xFF || ((header[6] | header[7] | header[8] | header[9]) & 0x80) != 0)
                throw new DataFileException($"{name}: not a valid MP3 or FLAC file (a damaged ID3v2 tag header at byte {at}).");
            var size = (header[6] & 0x7F) << 21 | (header[7] & 0x7F) << 14 | (header[8] & 0x7F) << 7 | (header[9] & 0x7F);
            var footer = header[3] == 4 && (header[5] & 0x10) != 0 ? 10 : 0;
            at += 10L + size + footer;
            tagged = true;
            if (at >= stream.Length)
                throw new DataFileException($"{name}: not a valid MP3 or FLAC file (an ID3v2 tag of {size} bytes and no audio after it).");
        }
        return at;
    }

    /// <summary>The offset of the first frame header: at <paramref name="at"/>, after zero padding at most.</summary>
    private static long FirstFrame(Stream stream, long at, string name, bool tagged)
    {
        var buffer = new byte[4096];
        var start = at;
        while (at - start <= MaxZeroPadding)
        {
            var got = ReadAt(stream, at, buffer);
            var zeros = 0;
            while (zeros < got && buffer[zeros] == 0) zeros++;
            at += zeros;
            if (zeros < got || got < buffer.Length) break;
        }
        var head = new byte[4];
        var read = ReadAt(stream, at, head);
        if (read == 4 && MpegFrameHeader.TryParse(head, out _)) return at;
        var what = read == 0 ? "nothing" : $"bytes {Convert.ToHexString(head, 0, read)}";
        throw new DataFileException(tagged
            ? $"{name}: not a valid MP3 or FLAC file: the ID3v2 tag is followed by {what} at byte {at}, neither an MPEG audio frame nor a FLAC stream."
            : $"{name}: not a WAV, FLAC or MP3 file (it starts with {what}, not an MPEG audio frame header).");
    }

    /// <summary>
    /// The header at <paramref name="at"/>, checked to be followed by more frames of the same stream
    /// (each at the offset the previous one's length gives), up to <see cref="FramesToSniff"/>, or by
    /// the end of the file or a trailing tag.
    /// </summary>
    private static MpegFrameHeader CheckSequence(Stream stream, long at, string name)
    {
        var bytes = new byte[4];
        ReadAt(stream, at, bytes);
        MpegFrameHeader.TryParse(bytes, out var first);
        if (first.Version == MpegVersion.V25)
            throw new DataFileException($"{name}: MPEG-2.5 audio (8-12 kHz MP3) is not read: the MP3 decoder (NLayer 3.0.1) decodes it wrongly; convert the file to WAV or FLAC.");
        if (!first.IsPermittedLayerTwoCombination)
            throw new DataFileException($"{name}: MPEG-1 layer II at {first.Bitrate} kbit/s in {(first.Channels == 1 ? "mono" : "stereo")} is a combination the standard forbids, which the MP3 decoder (NLayer 3.0.1) does not decode; re-encode the file (another bit rate) or convert it to WAV or FLAC.");
        var position = at;
        var header = first;
        for (var i = 1; i < FramesToSniff; i++)
        {
            position += header.Length;
            var got = ReadAt(stream, position, bytes);
            if (got == 0 || IsTrailer(stream, position))
            {
                // A lone frame is what a frame sync in random bytes looks like, and mpg123 and
                // ffmpeg decode nothing from one (measured on lone layer II and III frames).
                if (i == 1) throw new DataFileException($"{name}: not a valid MP3 file: a single MPEG audio frame header (at byte {at}) and no frame after it; the reference decoders (mpg123, ffmpeg) decode nothing from it.");
                return first;
            }
            if (got < 4 || !MpegFrameHeader.TryParse(bytes, out header) || !header.SameStream(first))
                throw new DataFileException($"{name}: not a valid MP3 file: the MPEG frame header at byte {at} is not followed by a frame of the same stream at byte {position} (frame {i + 1}), so the bytes are not MPEG audio.");
        }
        return first;
    }

    /// <summary>Audio frames from <paramref name="at"/>: their count, where the last whole one ends, and whether a frame is cut by the end of the file.</summary>
    private static (long Frames, long End, bool Cut) CountFrames(Stream stream, long at, MpegFrameHeader model)
    {
        var bytes = new byte[4];
        long frames = 0;
        var end = at;
        var length = stream.Length;
        while (true)
        {
            var got = ReadAt(stream, at, bytes);
            if (got == 0) return (frames, end, false);
            if (got == 4 && MpegFrameHeader.TryParse(bytes, out var header) && header.SameStream(model))
            {
                if (at + header.Length > length) return (frames, end, !IsTrailer(stream, at));
                frames++;
                at += header.Length;
                end = at;
                continue;
            }
            if (IsTrailer(stream, at)) return (frames, end, false);
            // Damage between frames: the decoder resynchronises at the next header that another
            // header follows; counting does the same, so both see the same frames.
            var next = Resynchronise(stream, at + 1, model);
            if (next < 0) return (frames, end, false);
            at = next;
        }
    }

    /// <summary>The next offset from <paramref name="at"/> holding a frame header of the stream followed by another (or the end), or -1.</summary>
    private static long Resynchronise(Stream stream, long at, MpegFrameHeader model)
    {
        // Small reads: damage is usually followed by a header within a few bytes, and each call reads afresh.
        var buffer = new byte[1 << 12];
        var bytes = new byte[4];
        while (true)
        {
            var got = ReadAt(stream, at, buffer);
            if (got < 4) return -1;
            for (var i = 0; i + 3 < got; i++)
            {
                if (buffer[i] != 0xFF || !MpegFrameHeader.TryParse(buffer.AsSpan(i, 4), out var header) || !header.SameStream(model)) continue;
                var next = at + i + header.Length;
                var read = ReadAt(stream, next, bytes);
                if (read == 0 || (read == 4 && MpegFrameHeader.TryParse(bytes, out var following) && following.SameStream(model))) return at + i;
            }
            at += got - 3;
        }
    }

    /// <summary>Whether an ID3v1, APE or Lyrics3 tag starts at <paramref name="at"/>: what may follow the last frame.</summary>
    private static bool IsTrailer(Stream stream, long at)
    {
        var bytes = new byte[11];
        var got = ReadAt(stream, at, bytes);
        var span = bytes.AsSpan(0, got);
        return span.StartsWith("TAG"u8) || span.StartsWith("APETAGEX"u8) || span.StartsWith("LYRICSBEGIN"u8);
    }

    private static int ReadAt(Stream stream, long at, Span<byte> buffer)
    {
        if (at < 0 || at >= stream.Length) return 0;
        stream.Position = at;
        return stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
    }
}
