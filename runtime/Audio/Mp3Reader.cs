using System;
using System.IO;
using CtcDsl.Runtime.Data;
using NLayer;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MP3 (MPEG-1/2 layers I–III) through NLayer, a fully managed decoder, down-mixed to mono. NLayer
/// reports damage by exceptions of its own kinds or by decoding nothing; both become a
/// <see cref="DataFileException"/> naming the file. The decoder's delay (encoder padding at the start,
/// about 1105 samples for LAME) is not removed: MP3 does not record it in a standard place.
/// </summary>
internal sealed class Mp3Reader : SequentialAudioReader
{
    private readonly MpegFile file;
    private float[] interleaved = Array.Empty<float>();

    public Mp3Reader(Stream stream, string name) : base(stream, name)
    {
        file = OpenMpeg();
        long frames;
        int rate, channels;
        try
        {
            rate = file.SampleRate;
            channels = file.Channels;
            frames = file.Length / sizeof(float) / channels;
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
        if (rate <= 0 || channels <= 0 || frames <= 0) throw new DataFileException($"{name}: not a valid MP3 file (no decodable MPEG audio frames).");
        Info = new AudioInfo(AudioFormat.Mp3, rate, channels, frames);
        Restart();
    }

    public override AudioInfo Info { get; }

    protected override void Restart()
    {
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
        var count = read / channels;
        var mono = new float[count];
        var scale = 1.0f / channels;
        for (var i = 0; i < count; i++)
        {
            var sum = 0.0;
            for (var c = 0; c < channels; c++) sum += interleaved[i * channels + c];
            var value = (float)(sum * scale);
            if (!float.IsFinite(value)) throw new DataFileException($"{Name}: sample {i} of an MP3 block decodes to {value} (a damaged file).");
            mono[i] = value;
        }
        return mono;
    }

    private MpegFile OpenMpeg()
    {
        try
        {
            return new MpegFile(Stream);
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
