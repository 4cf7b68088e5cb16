using System;
using NWaves.FeatureExtractors.Base;
using NWaves.Filters;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// A spec's front-end fed audio in pieces of any size (a microphone's buffers): each frame is computed
/// once its 25 ms window has arrived, and the frames are exactly those of <see cref="FrontEnd.Compute"/>
/// on the whole recording — the same int16 scaling, pre-emphasis carried across pieces (its previous
/// sample is kept), the same per-frame analysis, and at <see cref="Finish"/> the same zero-padded last
/// frames. Deltas are held back until the frames they read have arrived (2 frames per order).
/// Normalisation must be <c>global</c> (the training set's statistics, saved with the model) or
/// <c>none</c>: one mean per utterance is not known until the utterance ends (the generator refuses
/// such a spec with CTC0030).
/// </summary>
public sealed class StreamingFrontEnd
{
    private readonly FrontEndSettings settings;
    private readonly FeatureStatistics? statistics;
    private readonly FeatureExtractor extractor;
    private readonly PreEmphasisFilter? preEmphasis;
    private readonly double inputScale;
    private readonly int window, hop, width, baseWidth;
    private readonly StreamingDeltas? deltas;
    private float[] buffer = new float[4096]; // prepared samples from absolute index bufferStart
    private int buffered;
    private long bufferStart, received, nextFrame;

    /// <summary>Starts a stream.</summary>
    /// <exception cref="NotSupportedException">Per-utterance normalisation (the message says why).</exception>
    /// <exception cref="ArgumentException">Global normalisation without <paramref name="statistics"/>.</exception>
    public StreamingFrontEnd(FrontEndSettings settings, FeatureStatistics? statistics)
    {
        if (settings.Normalization == FeatureNormalizationMode.Utterance)
            throw new NotSupportedException("This front-end normalises each utterance by its own mean and deviation, which are not known until it ends: streaming needs normalize: global or none.");
        if (settings.Normalization == FeatureNormalizationMode.Global && statistics is null)
            throw new ArgumentException("A normalize: global front-end needs the training-set statistics.", nameof(statistics));
        this.settings = settings;
        this.statistics = settings.Normalization == FeatureNormalizationMode.Global ? statistics : null;
        var mfcc = MfccSettings.Default with { CoefficientCount = settings.Coefficients, FilterCount = settings.Filters };
        var rate = settings.SampleRate;
        (window, hop, width, inputScale) = (mfcc.WindowSamples(rate), mfcc.HopSamples(rate), settings.Width, mfcc.InputScale);
        baseWidth = width / (1 + settings.Deltas);
        deltas = settings.Deltas > 0 ? new StreamingDeltas(baseWidth, settings.Deltas) : null;
        extractor = settings.Kind == SpecFacts.FrontEndFacts.Mfcc
            ? new Mfcc(mfcc).Extractor(rate, window, hop)
            : new LogFilterbank(mfcc).Extractor(rate, window, hop);
        preEmphasis = mfcc.PreEmphasis != 0 ? new PreEmphasisFilter(mfcc.PreEmphasis) : null;
    }

    /// <summary>Samples received so far (at <see cref="FrontEndSettings.SampleRate"/>).</summary>
    public long Samples => received;

    /// <summary>Frames analysed so far (with deltas, up to 2 per order more than returned).</summary>
    public long Frames => nextFrame;

    /// <summary>Values per frame.</summary>
    public int Width => width;

    /// <summary>Takes the next samples (mono, [-1, 1], at the front-end's sample rate) and returns the frames they complete, <c>[n, Width]</c> (n may be 0).</summary>
    public float[,] Accept(ReadOnlySpan<float> samples)
    {
        Reserve(samples.Length);
        foreach (var sample in samples)
        {
            // As SpeechFrames.Prepare: scale, then y[n] = x[n] − a·x[n−1] with the filter's state carried across pieces.
            var scaled = (float)(sample * inputScale);
            buffer[buffered++] = preEmphasis is null ? scaled : preEmphasis.Process(scaled);
        }
        received += samples.Length;
        var complete = received < window ? 0 : (received - window) / hop + 1;
        var frames = Emit(complete);
        return Normalize(deltas is null ? frames : deltas.Accept(frames));
    }

    /// <summary>The last frames, zero-padded past the end as the offline front-end pads its last window; the stream is spent afterwards.</summary>
    public float[,] Finish()
    {
        if (received == 0) return Normalize(deltas?.Finish() ?? new float[0, width]);
        var total = received <= window ? 1 : 1 + (long)Math.Ceiling((double)(received - window) / hop);
        var needed = (int)((total - 1) * hop + window - received);
        Reserve(needed);
        Array.Clear(buffer, buffered, needed);
        buffered += needed;
        var frames = Emit(total);
        if (deltas is null) return Normalize(frames);
        var first = deltas.Accept(frames);
        var last = deltas.Finish();
        var joined = new float[first.GetLength(0) + last.GetLength(0), width];
        Buffer.BlockCopy(first, 0, joined, 0, first.Length * sizeof(float));
        Buffer.BlockCopy(last, 0, joined, first.Length * sizeof(float), last.Length * sizeof(float));
        return Normalize(joined);
    }

    private float[,] Emit(long upTo)
    {
        var count = (int)(upTo - nextFrame);
        if (count <= 0) return new float[0, baseWidth];
        var start = (int)(nextFrame * hop - bufferStart);
        var frames = extractor.ComputeFrom(buffer, start, start + (count - 1) * hop + window);
        if (frames.Count != count) throw new InvalidOperationException($"The analysis gave {frames.Count} frames where {count} were due.");
        nextFrame = upTo;
        // Keep only what later frames read: from the next frame's first sample on.
        var keepFrom = (int)(nextFrame * hop - bufferStart);
        Array.Copy(buffer, keepFrom, buffer, 0, buffered - keepFrom);
        buffered -= keepFrom;
        bufferStart += keepFrom;
        return SpeechFrames.ToMatrix(frames, baseWidth);
    }

    private float[,] Normalize(float[,] frames) => statistics is null || frames.Length == 0 ? frames : statistics.Normalize(frames);

    private void Reserve(int more)
    {
        if (buffered + more <= buffer.Length) return;
        Array.Resize(ref buffer, Math.Max(buffer.Length * 2, buffered + more));
    }
}
