using System;
using System.IO;

namespace CtcDsl.Runtime.Audio.Mpeg;

/// <summary>
/// What NLayer is given to decode: the audio frames of a file alone (no ID3 tags, no Xing/Info frame,
/// nothing after the last whole frame), followed by one silent frame made here. Without the tag frame
/// NLayer trims nothing itself, so the timing is decided in one place (<see cref="GaplessTiming"/>);
/// the silent frame lets NLayer, which confirms a frame by the header after it, decode a file of one
/// frame and the last frame of every file. Its output is never used.
/// </summary>
internal sealed class MpegAudioStream : Stream
{
    private readonly Stream inner;
    private readonly long start;
    private readonly long length;
    private readonly byte[] silent;
    private long position;

    public MpegAudioStream(Stream inner, MpegLayout layout)
    {
        this.inner = inner;
        start = layout.AudioStart;
        length = layout.AudioEnd - layout.AudioStart;
        silent = SilentFrame(layout.First);
    }

    /// <summary>
    /// A frame of the stream's kind that decodes to silence: the first frame's header without CRC
    /// protection or padding, then zeros (layer III: no main data, no reservoir; layers I and II:
    /// nothing allocated).
    /// </summary>
    private static byte[] SilentFrame(MpegFrameHeader header)
    {
        // Bit rate index 8 (MPEG-1: 256, 128 and 112 kbit/s for layers I, II, III; MPEG-2: 128 and 64)
        // is valid in every channel mode, layer II's restrictions included.
        var versionBits = header.Version switch { MpegVersion.V1 => 3, MpegVersion.V2 => 2, _ => 0 };
        var rateIndex = Array.IndexOf([44100, 48000, 32000], header.SampleRate << (header.Version switch { MpegVersion.V1 => 0, MpegVersion.V2 => 1, _ => 2 }));
        var bytes = new byte[]
        {
            0xFF,
            (byte)(0xE0 | versionBits << 3 | (4 - header.Layer) << 1 | 1),
            (byte)(8 << 4 | rateIndex << 2),
            (byte)(header.ChannelMode << 6),
        };
        MpegFrameHeader.TryParse(bytes, out var silent);
        var frame = new byte[silent.Length];
        bytes.CopyTo(frame, 0);
        return frame;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length + silent.Length;

    public override long Position
    {
        get => position;
        set => position = Math.Clamp(value, 0, Length);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var done = 0;
        if (position < length && buffer.Length > 0)
        {
            inner.Position = start + position;
            var want = (int)Math.Min(buffer.Length, length - position);
            var got = inner.ReadAtLeast(buffer[..want], want, throwOnEndOfStream: false);
            position += got;
            done += got;
            if (got < want) return done;
        }
        if (position >= length && done < buffer.Length)
        {
            var from = (int)(position - length);
            var take = Math.Min(buffer.Length - done, silent.Length - from);
            if (take > 0)
            {
                silent.AsSpan(from, take).CopyTo(buffer[done..]);
                position += take;
                done += take;
            }
        }
        return done;
    }

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
