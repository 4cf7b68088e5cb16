using System;
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
        // 1 / 2^(bits−1) is exact, so multiplying gives what the WAV reader's division gives.
        var inverse = 1.0 / (1L << (decoder.Info.BitsPerSample - 1));
        var channels = decoder.Info.Channels;
        var scale = 1.0f / channels;
        var mono = new float[count];
        // Sum in double, scale once: the arithmetic of the WAV reader, so both read the same audio identically.
        if (channels == 1)
        {
            var samples = decoder.Channel(0);
            for (var i = 0; i < count; i++) mono[i] = (float)(samples[i] * inverse * scale);
        }
        else if (channels == 2)
        {
            ReadOnlySpan<long> left = decoder.Channel(0), right = decoder.Channel(1);
            for (var i = 0; i < count; i++) mono[i] = (float)((left[i] * inverse + right[i] * inverse) * scale);
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                var sum = 0.0;
                for (var c = 0; c < channels; c++) sum += decoder.Channel(c)[i] * inverse;
                mono[i] = (float)(sum * scale);
            }
        }
        return mono;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) decoder.Dispose();
        base.Dispose(disposing);
    }
}
