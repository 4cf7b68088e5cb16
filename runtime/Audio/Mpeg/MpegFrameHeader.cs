using System;

namespace CtcDsl.Runtime.Audio.Mpeg;

/// <summary>The MPEG audio version a frame header states.</summary>
internal enum MpegVersion
{
    /// <summary>MPEG-1 (32, 44.1, 48 kHz).</summary>
    V1,
    /// <summary>MPEG-2 low sampling frequencies (16, 22.05, 24 kHz).</summary>
    V2,
    /// <summary>MPEG-2.5, an unofficial extension (8, 11.025, 12 kHz).</summary>
    V25,
}

/// <summary>
/// One MPEG audio frame header (ISO 11172-3 / 13818-3): the 4 bytes that start every frame and give
/// its length, so a reader can step from frame to frame without decoding. Free-format streams
/// (bit rate index 0) state no length and are not parsed: NLayer does not decode them either.
/// </summary>
internal readonly record struct MpegFrameHeader(MpegVersion Version, int Layer, int Bitrate, int SampleRate, bool Padded, bool Protected, int ChannelMode)
{
    private static readonly int[][] Bitrates =
    [
        [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448], // MPEG-1 layer I
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],    // MPEG-1 layer II
        [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],     // MPEG-1 layer III
        [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],    // MPEG-2/2.5 layer I
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],         // MPEG-2/2.5 layers II and III
    ];

    private static readonly int[] Rates = [44100, 48000, 32000];

    /// <summary>Channels: 1 for mono (channel mode 3), else 2.</summary>
    public int Channels => ChannelMode == 3 ? 1 : 2;

    /// <summary>Samples per channel the frame decodes to.</summary>
    public int SamplesPerFrame => Layer switch
    {
        1 => 384,
        2 => 1152,
        _ => Version == MpegVersion.V1 ? 1152 : 576,
    };

    /// <summary>The frame's length in bytes, header included.</summary>
    public int Length => Layer switch
    {
        1 => (12 * Bitrate * 1000 / SampleRate + (Padded ? 1 : 0)) * 4,
        2 => 144 * Bitrate * 1000 / SampleRate + (Padded ? 1 : 0),
        _ => (Version == MpegVersion.V1 ? 144 : 72) * Bitrate * 1000 / SampleRate + (Padded ? 1 : 0),
    };

    /// <summary>Bytes of layer III side information after the header (and its CRC): where a Xing/Info tag starts.</summary>
    public int SideInfoLength => Version == MpegVersion.V1 ? (ChannelMode == 3 ? 17 : 32) : (ChannelMode == 3 ? 9 : 17);

    /// <summary>
    /// Layer II forbids some bit rates per channel mode (ISO 11172-3, 2.4.2.3): mono above 192 kbit/s,
    /// stereo at 32, 48, 56 and 80. mpg123 decodes them anyway; NLayer takes such a frame for noise
    /// and loses sync, so they are refused by name.
    /// </summary>
    public bool IsPermittedLayerTwoCombination =>
        Layer != 2 || Version != MpegVersion.V1 || (ChannelMode == 3 ? Bitrate <= 192 : Bitrate is not (32 or 48 or 56 or 80));

    /// <summary>Same stream parameters: what consecutive frames of one stream share.</summary>
    public bool SameStream(MpegFrameHeader other) => Version == other.Version && Layer == other.Layer && SampleRate == other.SampleRate;

    /// <summary>Parses the 4 bytes at the start of <paramref name="bytes"/>; false when they are not a usable frame header.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out MpegFrameHeader header)
    {
        header = default;
        if (bytes.Length < 4 || bytes[0] != 0xFF || (bytes[1] & 0xE0) != 0xE0) return false;
        var versionBits = (bytes[1] >> 3) & 3;
        var layerBits = (bytes[1] >> 1) & 3;
        var bitrateIndex = bytes[2] >> 4;
        var rateIndex = (bytes[2] >> 2) & 3;
        // Reserved version, reserved layer, free format or the forbidden bit rate, reserved rate, reserved emphasis.
        if (versionBits == 1 || layerBits == 0 || bitrateIndex is 0 or 15 || rateIndex == 3 || (bytes[3] & 3) == 2) return false;
        var version = versionBits switch { 3 => MpegVersion.V1, 2 => MpegVersion.V2, _ => MpegVersion.V25 };
        var layer = 4 - layerBits;
        var table = version == MpegVersion.V1 ? layer - 1 : layer == 1 ? 3 : 4;
        var rate = Rates[rateIndex] >> (version == MpegVersion.V1 ? 0 : version == MpegVersion.V2 ? 1 : 2);
        header = new MpegFrameHeader(version, layer, Bitrates[table][bitrateIndex], rate, (bytes[2] & 2) != 0, (bytes[1] & 1) == 0, bytes[3] >> 6);
        return true;
    }
}
