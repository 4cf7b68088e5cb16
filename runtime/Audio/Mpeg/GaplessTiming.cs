using System;

namespace CtcDsl.Runtime.Audio.Mpeg;

/// <summary>
/// Which decoded samples of an MPEG audio file are the recording, as mpg123 and ffmpeg decide (the two
/// agree, measured on files from LAME, ffmpeg's libmp3lame and libshine, sox, ffmpeg's mp2 and
/// libtwolame): with a Xing/Info tag carrying the LAME extension, whoever wrote it, the output starts
/// after the encoder's delay plus the layer III decoder's own 529 samples and ends the padding less 529
/// before the end of the stated frames (never past the last frame); without one, every decoded
/// sample is kept.
/// </summary>
internal static class GaplessTiming
{
    /// <summary>Samples a layer III decoder's output lags its input (the hybrid filter bank's delay, 528 + 1).</summary>
    public const int DecoderDelay = 529;

    /// <summary>The first sample kept and the sample after the last, counted in the decoded audio frames (the Xing/Info frame not included).</summary>
    public static (long Skip, long End) Of(MpegLayout layout)
    {
        var perFrame = layout.First.SamplesPerFrame;
        var decoded = layout.Frames * perFrame;
        if (layout.Tag is not { Encoder: not null } tag || layout.First.Layer != 3) return (0, decoded);
        // A stated count of 0 with frames present is a tag never filled in (a stream written unseekably).
        var frames = tag.Frames is { } stated and > 0 ? Math.Min(stated, layout.Frames) : layout.Frames;
        var total = frames * perFrame;
        var skip = Math.Min((long)tag.Delay + DecoderDelay, total);
        var end = Math.Clamp(total - tag.Padding + DecoderDelay, skip, total);
        return (skip, end);
    }
}
