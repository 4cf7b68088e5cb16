using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>How <see cref="CtcAudioModel{TExample, TBatch}.TranscribeLong(string, LongFormOptions?)"/> cuts a long recording.</summary>
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
        var tokens = new List<TimedToken>();
        var words = new List<TimedWord>();
        var separator = vocabulary.IdOf(vocabulary.WordSeparator);
        int runClass = -1, runStart = 0;
        double runProbability = 0, runLogProbability = 0;
        var word = new List<(int Label, int Start, int End, double LogProbability)>();

        void EndWord()
        {
            if (word.Count == 0) return;
            var ids = new int[word.Count];
            double logProbability = 0;
            for (var i = 0; i < ids.Length; i++)
            {
                ids[i] = word[i].Label;
                logProbability += word[i].LogProbability;
            }
            var text = vocabulary.Decode(ids);
            if (text.Length == 0) { word.Clear(); return; } // a subword vocabulary's bare marker piece alone
            words.Add(new TimedWord(text, word[0].Start * secondsPerFrame, word[^1].End * secondsPerFrame, logProbability));
            word.Clear();
        }

        void EndRun(int end)
        {
            if (runClass < 0 || runClass == vocabulary.BlankIndex) return;
            tokens.Add(new TimedToken(vocabulary.TokenOf(runClass), runStart * secondsPerFrame, end * secondsPerFrame, runProbability / (end - runStart)));
            if (runClass == separator) EndWord();
            else if (vocabulary.StartsWord(runClass))
            {
                EndWord();
                word.Add((runClass, runStart, end, runLogProbability));
            }
            else word.Add((runClass, runStart, end, runLogProbability));
        }

        for (var t = 0; t < frames; t++)
        {
            var row = logProbs.Slice(t * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
                if (row[c] > row[best]) best = c;
            if (best != runClass)
            {
                EndRun(t);
                (runClass, runStart, runProbability, runLogProbability) = (best, t, 0, 0);
            }
            runProbability += Math.Exp(row[best]);
            runLogProbability += row[best];
        }
        EndRun(frames);
        EndWord();
        // The text is the words joined by single separators: a long pause may emit the separator more than once.
        return new LongTranscript(string.Join(vocabulary.WordSeparator, words.ConvertAll(w => w.Text)), tokens, words, duration);
    }
}
