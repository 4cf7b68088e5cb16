using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>How <c>TranscribeLong</c> (TorchSharp models and the ONNX recognizer) cuts a long recording.</summary>
public sealed record LongFormOptions
{
    /// <summary>Seconds of each window whose output is kept (default 10).</summary>
    public double ChunkSeconds { get; init; } = 10;

    /// <summary>
    /// Seconds of audio added on both sides of each chunk and then thrown away (default 2): every kept
    /// output frame saw at least this much audio around it, so recurrent and convolutional layers
    /// behave as they do inside an utterance, and nothing is decoded twice or dropped at the seams.
    /// </summary>
    public double ContextSeconds { get; init; } = 2;

    /// <summary>
    /// Pauses as word boundaries: when set, an energy-based detector (<see cref="Audio.PauseDetector"/>)
    /// finds the stretches of speech and each is decoded on its own, so words separated by silence come
    /// out as separate words with their own times, even from a model that never learned to emit a word
    /// separator. Null (the default): one best path over the whole recording.
    /// </summary>
    public Audio.PauseDetectorOptions? Pauses { get; init; }
}

/// <summary>A token of a long-form transcript with its place in the recording.</summary>
/// <param name="Text">The token.</param>
/// <param name="Start">Seconds from the start of the recording to its first frame.</param>
/// <param name="End">Seconds to the end of its last frame.</param>
/// <param name="Probability">Its mean probability over those frames.</param>
public sealed record TimedToken(string Text, double Start, double End, double Probability);

/// <summary>A long recording's transcript, with every token and word placed in time.</summary>
/// <param name="Text">The transcript: its words joined by single word separators.</param>
/// <param name="Tokens">Each emitted token with its time.</param>
/// <param name="Words">Each word (tokens between word separators) with its time; <see cref="TimedWord.LogProbability"/> sums its tokens' frames.</param>
/// <param name="Duration">The recording's length in seconds.</param>
public sealed record LongTranscript(string Text, IReadOnlyList<TimedToken> Tokens, IReadOnlyList<TimedWord> Words, double Duration);

/// <summary>
/// The best path through a recording's stitched log-probabilities, read as timed tokens: each run of
/// one class is a token (blanks separate repeats), timed by its frames. This is what makes long-form
/// output carry timestamps: every token is tied to the frames that emitted it.
/// </summary>
public static class BestPathTimings
{
    /// <summary>The transcript of <paramref name="logProbs"/> (<c>[frames, classes]</c>, row-major log-probabilities).</summary>
    /// <param name="secondsPerFrame">Seconds per logit frame (the hop times the subsampling).</param>
    public static LongTranscript Read(ReadOnlySpan<float> logProbs, int frames, int classes, Vocabulary vocabulary, double secondsPerFrame, double duration)
    {
        var reader = new BestPathReader(vocabulary, secondsPerFrame);
        for (var t = 0; t < frames; t++) reader.Push(logProbs.Slice(t * classes, classes));
        return reader.Finish(duration);
    }
}
