using System;
using System.Buffers.Binary;

namespace CtcDsl.Runtime.Audio.Mpeg;

/// <summary>
/// The Xing/Info tag some encoders put in a layer III frame of silence before the audio: the count of
/// audio frames and bytes, and in the extension LAME defined (which ffmpeg's muxer writes too, as
/// <c>Lavc…</c>/<c>Lavf…</c>, and so whatever encoder it wraps, shine included) the encoder's delay and
/// the padding added to fill the last frame, which gapless decoders trim.
/// </summary>
/// <param name="Frames">Audio frames after the tag's own frame, when stated.</param>
/// <param name="Bytes">Bytes from the tag's frame to the end of the audio, when stated.</param>
/// <param name="Encoder">The extension's 9-character encoder version (<c>LAME3.100</c>, <c>Lavc59.37</c>), or null without an extension.</param>
/// <param name="Delay">Samples the encoder put before the audio (extension only).</param>
/// <param name="Padding">Samples the encoder put after the audio (extension only).</param>
internal sealed record XingTag(long? Frames, long? Bytes, string? Encoder, int Delay, int Padding)
{
    /// <summary>The bytes of the extension: version string to the tag's CRC.</summary>
    private const int ExtensionLength = 36;

    /// <summary>
    /// The tag in <paramref name="frame"/> (a whole layer III frame, header first), or null when the
    /// frame holds none (it is then audio).
    /// </summary>
    public static XingTag? Find(MpegFrameHeader header, ReadOnlySpan<byte> frame)
    {
        if (header.Layer != 3) return null;
        var at = 4 + (header.Protected ? 2 : 0) + header.SideInfoLength;
        if (frame.Length < at + 8) return null;
        var magic = frame.Slice(at, 4);
        if (!magic.SequenceEqual("Xing"u8) && !magic.SequenceEqual("Info"u8)) return null;
        var flags = BinaryPrimitives.ReadUInt32BigEndian(frame[(at + 4)..]);
        var p = at + 8;
        long? frames = null, bytes = null;
        if ((flags & 1) != 0)
        {
            if (frame.Length < p + 4) return null;
            frames = BinaryPrimitives.ReadUInt32BigEndian(frame[p..]);
            p += 4;
        }
        if ((flags & 2) != 0)
        {
            if (frame.Length < p + 4) return null;
            bytes = BinaryPrimitives.ReadUInt32BigEndian(frame[p..]);
            p += 4;
        }
        if ((flags & 4) != 0) p += 100; // the seek table
        if ((flags & 8) != 0) p += 4;   // a quality indicator
        if (frame.Length < p + ExtensionLength) return new XingTag(frames, bytes, null, 0, 0);
        // The extension is recognised by its version string, whoever wrote it: four letters
        // ("LAME", "Lavc", "Lavf", "GOGO", ...) then printable characters. A tag without one (the
        // original Xing encoder's) states no delay, and none is trimmed.
        var version = frame.Slice(p, 9);
        for (var i = 0; i < 4; i++)
            if (!char.IsAsciiLetter((char)version[i])) return new XingTag(frames, bytes, null, 0, 0);
        var encoder = System.Text.Encoding.ASCII.GetString(version).TrimEnd('\0', ' ');
        foreach (var c in encoder)
            if (c is < ' ' or > '~') return new XingTag(frames, bytes, null, 0, 0);
        var gapless = frame.Slice(p + 21, 3);
        var delay = gapless[0] << 4 | gapless[1] >> 4;
        var padding = (gapless[1] & 0x0F) << 8 | gapless[2];
        return new XingTag(frames, bytes, encoder, delay, padding);
    }
}
