using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Training;

namespace CtcDsl.Onnx;

/// <summary>
/// One utterance being recognised as it arrives (<see cref="OnnxStreamingRecognizer.CreateStream"/>):
/// <see cref="AcceptWaveform(ReadOnlySpan{float})"/> takes pieces of any size, each completed feature frame runs through the
/// model with the encoder state carried, and the greedy best path is read frame by frame, so
/// <see cref="Partial"/> is the transcript so far with word times and <see cref="Finish"/> the final one.
/// Not thread-safe; use one stream per utterance.
/// </summary>
public sealed class OnnxStream
{
    private readonly OnnxStreamingRecognizer recognizer;
    private readonly StreamingFrontEnd frontEnd;
    private readonly Dictionary<string, (float[] Values, long[] Shape)> state;
    private readonly BestPathReader bestPath;
    private LongTranscript? final;

    internal OnnxStream(OnnxStreamingRecognizer recognizer)
    {
        this.recognizer = recognizer;
        frontEnd = new StreamingFrontEnd(recognizer.FrontEnd, recognizer.Info.Statistics);
        state = recognizer.InitialStates();
        bestPath = new BestPathReader(recognizer.Vocabulary, recognizer.SecondsPerFrame);
    }

    /// <summary>Raised with each chunk's logits (<c>[frames, classes]</c>, unnormalised) as they are computed; a chunk may have none.</summary>
    public event Action<float[,]>? LogitsComputed;

    /// <summary>Seconds of audio received.</summary>
    public double Duration => (double)frontEnd.Samples / recognizer.FrontEnd.SampleRate;

    /// <summary>Logit frames decoded so far.</summary>
    public int Frames => bestPath.Frames;

    /// <summary>Takes the next samples at <paramref name="sampleRate"/>, which must be the model's (a stream does not resample: a resampler's filter would need look-ahead of its own).</summary>
    /// <exception cref="ArgumentException">Another sample rate.</exception>
    /// <exception cref="InvalidOperationException">The stream has finished.</exception>
    public void AcceptWaveform(ReadOnlySpan<float> samples, int sampleRate)
    {
        if (sampleRate != recognizer.FrontEnd.SampleRate)
            throw new ArgumentException($"{recognizer.Info.ModelName} takes {recognizer.FrontEnd.SampleRate} Hz audio; resample the {sampleRate} Hz input first.", nameof(sampleRate));
        AcceptWaveform(samples);
    }

    /// <summary>Takes the next samples: mono, in [-1, 1], at the model's sample rate (<see cref="FrontEndSettings.SampleRate"/>; resample before).</summary>
    /// <exception cref="InvalidOperationException">The stream has finished.</exception>
    public void AcceptWaveform(ReadOnlySpan<float> samples)
    {
        if (final is not null) throw new InvalidOperationException("The stream has finished: start another with CreateStream.");
        var features = frontEnd.Accept(samples);
        if (features.GetLength(0) > 0) Decode(recognizer.Run(features, final: false, state));
    }

    /// <summary>The transcript so far, as if the audio ended here, with token and word times; the last word may still grow or change.</summary>
    public LongTranscript Partial => final ?? bestPath.Peek(Duration);

    /// <summary>Ends the utterance: the last frames (zero-padded as offline, convolutions' right padding added) and the final transcript. Calling it again returns the same.</summary>
    public LongTranscript Finish()
    {
        if (final is not null) return final;
        Decode(recognizer.Run(frontEnd.Finish(), final: true, state));
        return final = bestPath.Finish(Duration);
    }

    private void Decode(float[,] logits)
    {
        LogitsComputed?.Invoke(logits);
        var classes = logits.GetLength(1);
        var logProbs = OnnxRecognizer.LogSoftmax(logits);
        for (var t = 0; t < logits.GetLength(0); t++) bestPath.Push(logProbs.AsSpan(t * classes, classes));
    }
}
