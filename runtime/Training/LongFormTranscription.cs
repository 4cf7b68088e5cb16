using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Long-form transcription with any acoustic model: the recording is cut into chunks of
/// <see cref="LongFormOptions.ChunkSeconds"/>, each run with <see cref="LongFormOptions.ContextSeconds"/>
/// of audio on both sides whose output is thrown away, the kept frames joined and read by
/// <see cref="BestPathTimings"/>. TorchSharp models and the ONNX Runtime recognizer share it, so the
/// two cut and time a recording identically.
/// </summary>
public static class LongFormTranscription
{
    /// <summary>Transcribes <paramref name="reader"/>.</summary>
    /// <param name="reader">The recording (read a window at a time).</param>
    /// <param name="options">Chunk and context lengths.</param>
    /// <param name="frontEnd">The model's front-end.</param>
    /// <param name="subsampling">Feature frames per logit frame.</param>
    /// <param name="vocabulary">The model's vocabulary.</param>
    /// <param name="logProbabilities">The model: normalised features to log-probabilities <c>[frames, classes]</c>, row-major.</param>
    public static LongTranscript Transcribe(AudioReader reader, LongFormOptions? options, FrontEnd frontEnd, int subsampling, Vocabulary vocabulary, Func<float[,], float[]> logProbabilities)
    {
        options ??= new LongFormOptions();
        if (!(options.ChunkSeconds > 0) || !(options.ContextSeconds >= 0))
            throw new ArgumentException($"ChunkSeconds must be positive and ContextSeconds not negative (got {options.ChunkSeconds} and {options.ContextSeconds}).", nameof(options));
        if (options.Pauses is not { } pauses) return Stitched(reader, options, frontEnd, subsampling, vocabulary, logProbabilities);

        // Each stretch of speech on its own: its last word ends with it, whatever the model emitted.
        var tokens = new List<TimedToken>();
        var words = new List<TimedWord>();
        foreach (var (start, end) in PauseDetector.SpeechStretches(reader, pauses))
        {
            var piece = Stitched(new StretchReader(reader, start, end - start), options, frontEnd, subsampling, vocabulary, logProbabilities);
            var offset = (double)start / reader.Info.SampleRate;
            tokens.AddRange(piece.Tokens.Select(t => t with { Start = t.Start + offset, End = t.End + offset }));
            words.AddRange(piece.Words.Select(w => w with { Start = w.Start + offset, End = w.End + offset }));
        }
        return new LongTranscript(string.Join(vocabulary.WordSeparator, words.Select(w => w.Text)), tokens, words, reader.Info.Duration);
    }

    private static LongTranscript Stitched(AudioReader reader, LongFormOptions options, FrontEnd frontEnd, int subsampling, Vocabulary vocabulary, Func<float[,], float[]> logProbabilities)
    {
        var rate = frontEnd.Settings.SampleRate;
        var source = reader.Info.SampleRate;
        var frameStep = frontEnd.HopSamples * subsampling; // model-rate samples per logit frame
        var chunk = Math.Max(1, (int)Math.Round(options.ChunkSeconds * rate / frameStep));
        var context = (int)Math.Round(options.ContextSeconds * rate / frameStep);
        var total = (long)Math.Floor(reader.Info.Frames * (double)rate / source); // samples at the model's rate
        var classes = vocabulary.ClassCount;
        var stitched = new List<float>();
        for (long core = 0; core * frameStep < total; core += chunk)
        {
            // The window, in model-rate samples on the logit frame grid, and the source samples it needs.
            var first = Math.Max(0, core - context) * frameStep;
            var last = Math.Min(total, (core + chunk + context) * frameStep + frontEnd.WindowSamples);
            var from = (long)Math.Floor(first * (double)source / rate);
            var to = (long)Math.Ceiling(last * (double)source / rate);
            var window = new MonoAudio(reader.ReadRange(from, (int)(to - from)), source).Resample(rate);
            var logProbs = logProbabilities(frontEnd.Compute(window));
            var keepFrom = (int)(core - Math.Max(0, core - context));
            var available = logProbs.Length / classes;
            var keep = Math.Min(chunk, available - keepFrom);
            if (keep <= 0) break;
            for (var i = 0; i < keep * classes; i++) stitched.Add(logProbs[keepFrom * classes + i]);
        }
        return BestPathTimings.Read(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(stitched), stitched.Count / classes, classes, vocabulary,
            frontEnd.HopSeconds * subsampling, reader.Info.Duration);
    }

    /// <summary>Samples <c>[first, first + count)</c> of a recording, read as a recording of their own (the outer reader stays open).</summary>
    private sealed class StretchReader(AudioReader inner, long first, long count) : AudioReader
    {
        public override AudioInfo Info { get; } = inner.Info with { Frames = count };

        protected override string Name => $"samples {first}–{first + count}";

        public override float[] ReadRange(long start, int length) =>
            inner.ReadRange(first + start, (int)Math.Clamp(count - start, 0, length));
    }
}
