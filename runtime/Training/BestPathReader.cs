using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// The best path read frame by frame into timed tokens and words: each run of one class is a token
/// (blanks separate repeats), timed by its frames. <see cref="BestPathTimings.Read"/> feeds it a whole
/// recording; a streaming recognizer feeds it each piece's frames as they come, so both give the same
/// tokens, words and times by construction (a run that spans two pieces is one token).
/// </summary>
public sealed class BestPathReader
{
    private readonly Vocabulary vocabulary;
    private readonly double secondsPerFrame;
    private readonly int separator;
    private readonly List<TimedToken> tokens = new();
    private readonly List<TimedWord> words = new();
    private readonly List<(int Label, int Start, int End, double LogProbability)> word = new();
    private int runClass = -1, runStart;
    private double runProbability, runLogProbability;

    /// <summary>Starts at frame 0.</summary>
    /// <param name="vocabulary">The model's classes.</param>
    /// <param name="secondsPerFrame">Seconds per logit frame (the hop times the subsampling).</param>
    public BestPathReader(Vocabulary vocabulary, double secondsPerFrame)
    {
        this.vocabulary = vocabulary;
        this.secondsPerFrame = secondsPerFrame;
        separator = vocabulary.IdOf(vocabulary.WordSeparator);
    }

    /// <summary>Frames read so far.</summary>
    public int Frames { get; private set; }

    /// <summary>The tokens whose runs have ended (a run ends at the first frame of another class).</summary>
    public IReadOnlyList<TimedToken> Tokens => tokens;

    /// <summary>The words that have ended (at a word separator's run, or at a subword piece that starts a word).</summary>
    public IReadOnlyList<TimedWord> Words => words;

    /// <summary>Reads one frame's log-probabilities (<c>classes</c> values).</summary>
    public void Push(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++)
            if (row[c] > row[best]) best = c;
        if (best != runClass)
        {
            EndRun(Frames);
            (runClass, runStart, runProbability, runLogProbability) = (best, Frames, 0, 0);
        }
        runProbability += Math.Exp(row[best]);
        runLogProbability += row[best];
        Frames++;
    }

    /// <summary>
    /// The transcript so far as if the audio ended now: the ended tokens and words plus the open run and
    /// word. Later frames can extend the last word (never change the ones before it).
    /// </summary>
    public LongTranscript Peek(double duration)
    {
        var copy = new BestPathReader(vocabulary, secondsPerFrame) { Frames = Frames, runClass = runClass, runStart = runStart, runProbability = runProbability, runLogProbability = runLogProbability };
        copy.tokens.AddRange(tokens);
        copy.words.AddRange(words);
        copy.word.AddRange(word);
        return copy.Finish(duration);
    }

    /// <summary>Ends the open run and word and returns the transcript; the reader is spent afterwards.</summary>
    public LongTranscript Finish(double duration)
    {
        EndRun(Frames);
        runClass = -1;
        EndWord();
        // The text is the words joined by single separators: a long pause may emit the separator more than once.
        return new LongTranscript(string.Join(vocabulary.WordSeparator, words.ConvertAll(w => w.Text)), tokens.ToArray(), words.ToArray(), duration);
    }

    private void EndWord()
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
        if (text.Length > 0) // empty: a subword vocabulary's bare word marker piece alone
            words.Add(new TimedWord(text, word[0].Start * secondsPerFrame, word[^1].End * secondsPerFrame, logProbability));
        word.Clear();
    }

    private void EndRun(int end)
    {
        if (runClass < 0 || runClass == vocabulary.BlankIndex) return;
        tokens.Add(new TimedToken(vocabulary.TokenOf(runClass), runStart * secondsPerFrame, end * secondsPerFrame, runProbability / (end - runStart)));
        if (runClass == separator) EndWord();
        else
        {
            if (vocabulary.StartsWord(runClass)) EndWord(); // a subword piece carrying the word marker
            word.Add((runClass, runStart, end, runLogProbability));
        }
    }
}
