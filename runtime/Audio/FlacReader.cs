using System.IO;
using CtcDsl.Runtime.Audio.Flac;

namespace CtcDsl.Runtime.Audio;

/// <summary>FLAC through <see cref="FlacDecoder"/>, frame by frame, down-mixed as <see cref="WavAudio"/> does (so a FLAC file and the WAV it came from read the same).</summary>
internal sealed class FlacReader : SequentialAudioReader
{
    private FlacDecoder decoder;

    public FlacReader(Stream stream, string name) : base(stream, name)
    {
        decoder = new FlacDecoder(stream, name, leaveOpen: true);
        var frames = decoder.Info.TotalSamples;
        if (frames == 0)
        {
            // A stream written on the fly does not state its length: count it by decoding.
            while (decoder.ReadFrame() > 0)
            {
            }
            frames = decoder.SamplesDecoded;
            Restart();
        }
        Info = new AudioInfo(AudioFormat.Flac, decoder.Info.SampleRate, decoder.Info.Channels, frames);
    }

    public override AudioInfo Info { get; }

    protected override void Restart()
    {
        decoder.Dispose();
        Stream.Position = 0;
        decoder = new FlacDecoder(Stream, Name, leaveOpen: true);
    }

    protected override float[]? DecodeBlock()
    {
        var count = decoder.ReadFrame();
        if (count == 0) return null;
        var full = (double)(1L << (decoder.Info.BitsPerSample - 1));
        var scale = 1.0f / decoder.Info.Channels;
        var sums = new double[count];
        for (var c = 0; c < decoder.Info.Channels; c++)
        {
            var samples = decoder.Channel(c);
            for (var i = 0; i < count; i++) sums[i] += samples[i] / full;
        }
        // Sum in double, scale once: the arithmetic of the WAV reader.
        var mono = new float[count];
        for (var i = 0; i < count; i++) mono[i] = (float)(sums[i] * scale);
        return mono;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) decoder.Dispose();
        base.Dispose(disposing);
    }
}
