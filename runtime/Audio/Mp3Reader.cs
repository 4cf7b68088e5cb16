using System;
using System.IO;
using CtcDsl.Runtime.Audio.Mpeg;
using CtcDsl.Runtime.Data;
using NLayer;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MPEG-1/2 audio layers I–III through NLayer, a fully managed decoder, down-mixed to mono. NLayer
/// reports damage by exceptions of its own kinds or by decoding nothing; both become a
/// <see cref="DataFileException"/> naming the file.
/// <para>
/// The frames are found here first (<see cref="MpegLayout"/>): NLayer decodes the audio frames alone
/// (<see cref="MpegAudioStream"/>) and the samples kept are those mpg123 and ffmpeg keep
/// (<see cref="GaplessTiming"/>), from the Xing/Info tag whoever wrote it. A file shorter than its tag
/// states, or whose last frame is cut off, is refused as truncated. MPEG-2.5 (8–12 kHz) is refused:
/// NLayer 3.0.1 decodes it wrongly (its frame-size bug, naudio/NLayer#10, fixed after that release).
/// </para>
/// </summary>
internal sealed class Mp3Reader : SequentialAudioReader
{
    private readonly MpegFile file;
    private float[] interleaved = Array.Empty<float>();

    /// <summary>Decoded samples (per channel) dropped before the recording starts.</summary>
    private readonly long skip;

    /// <summary>Decoded samples (per channel) to the recording's end.</summary>
    private readonly long end;

    /// <summary>Decoded samples (per channel) passed since the start.</summary>
    private long decoded;

    public Mp3Reader(Stream stream, string name) : base(stream, name)
    {
        var layout = Scan(stream, name);
        (skip, end) = GaplessTiming.Of(layout);
        if (layout.Frames == 0 || end <= skip)
            throw new DataFileException($"{name}: the MP3 file holds no audio ({layout.Frames} audio frames{(layout.Tag is { } tag ? $"; its Xing/Info tag states {tag.Frames?.ToString() ?? "no"} frames, {tag.Delay} samples of delay and {tag.Padding} of padding" : "")}).");
        file = OpenMpeg(new MpegAudioStream(stream, layout));
        int rate, channels;
        long available;
        try
        {
            rate = file.SampleRate;
            channels = file.Channels;
            // NLayer's count includes the silent frame appended after the audio.
            available = file.Length / sizeof(float) / channels - layout.First.SamplesPerFrame;
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
        if (rate <= 0 || channels <= 0 || available <= skip) throw new DataFileException($"{name}: not a valid MP3 file (no decodable MPEG audio frames).");
        end = Math.Min(end, available);
        Info = new AudioInfo(AudioFormat.Mp3, rate, channels, end - skip);
        Restart();
    }

    public override AudioInfo Info { get; }

    protected override void Restart()
    {
        decoded = 0;
        try
        {
            file.Position = 0;
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
    }

    protected override float[]? DecodeBlock()
    {
        var channels = Info.Channels;
        const int framesPerBlock = 1152 * 4;
        if (decoded >= end) return null;
        if (interleaved.Length < framesPerBlock * channels) interleaved = new float[framesPerBlock * channels];
        int read;
        try
        {
            read = file.ReadSamples(interleaved, 0, framesPerBlock * channels);
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
        if (read <= 0) return null;
        var frames = read / channels;
        // The part of this block within [skip, end).
        var from = (int)Math.Clamp(skip - decoded, 0, frames);
        var to = (int)Math.Clamp(end - decoded, from, frames);
        decoded += frames;
        var mono = new float[to - from];
        var scale = 1.0f / channels;
        for (var i = 0; i < mono.Length; i++)
        {
            var sum = 0.0;
            for (var c = 0; c < channels; c++) sum += interleaved[(from + i) * channels + c];
            var value = (float)(sum * scale);
            if (!float.IsFinite(value)) throw new DataFileException($"{Name}: sample {i} of an MP3 block decodes to {value} (a damaged file).");
            mono[i] = value;
        }
        return mono;
    }

    private static MpegLayout Scan(Stream stream, string name)
    {
        try
        {
            return MpegLayout.Scan(stream, name);
        }
        catch (IOException e) when (e is not DataFileException)
        {
            throw new DataFileException($"{name}: cannot read the file ({e.Message}).", e);
        }
    }

    private MpegFile OpenMpeg(Stream audio)
    {
        try
        {
            return new MpegFile(audio);
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
    }

    private DataFileException Damaged(Exception e) => new($"{Name}: not a valid MP3 file ({e.GetType().Name}: {e.Message}).", e);

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }
}
