using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Onnx;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Training;
using Xunit;
using Xunit.Abstractions;

namespace CtcDsl.Tests.Export;

/// <summary>
/// Streaming recognition (<c>streaming: true</c>, <c>ExportOnnxStreaming</c>, <see cref="OnnxStreamingRecognizer"/>):
/// fed a recording in pieces of any size, a stream computes the offline model's logits (within 1e-4), its
/// greedy transcript and word times; partial results are prefixes of the final one; streams share no state.
/// Two models: the example spec (valid conv1d, stride 2, GRU) and one with everything that streams
/// (MFCC with deltas, convolutions with right padding, dilation, batch norm, a 2-layer LSTM, a residual add, layer norm).
/// </summary>
public class StreamingTests(ITestOutputHelper output)
{
    /// <summary>Samples per piece: one sample, 10, 20 and 100 ms, odd sizes, the whole recording at once.</summary>
    public static readonly int[] PieceSizes = { 1, 160, 320, 777, 1600, 4099, int.MaxValue };

    public static IEnumerable<object[]> Cases() =>
        from spec in new[] { "streaming.ctc.yaml", WideSpec.Value }
        from piece in PieceSizes
        select new object[] { spec, piece };

    /// <summary>A spec using every layer kind that streams, written once to a temporary folder.</summary>
    private static readonly Lazy<string> WideSpec = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "ctcdsl-stream-specs");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, "stream-wide.ctc.yaml");
        File.WriteAllText(path, """
            version: 1
            name: StreamWide
            streaming: true
            vocabulary: { tokens: " abcdefghijklmnopqrstuvwxyz'", blank: first }
            features: { type: mfcc, sample_rate: 16000, coefficients: 13, filters: 26, deltas: 1, normalize: none }
            inputs:
              features: { kind: features, shape: [time, 26] }
              labels: { kind: labels }
            layers:
              - { type: conv1d, name: conv1, filters: 24, kernel: 5, stride: 2, padding: same, activation: relu }
              - { type: batch_norm, name: norm1 }
              - { type: conv1d, name: conv2, filters: 24, kernel: 3, dilation: 2, padding: 2, activation: gelu }
              - { type: lstm, name: rnn, units: 24, layers: 2 }
              - { type: dense, name: proj, units: 24, activation: tanh }
              - { type: add, name: residual, inputs: [proj, conv2] }
              - { type: layer_norm, name: norm2 }
              - { type: dense, name: logits, units: classes }
            ctc: { logits: logits, labels: labels }
            training: { optimizer: { type: adam, learning_rate: 0.001 }, epochs: 1 }
            """);
        return path;
    });

    /// <summary>1.37 s of 16 kHz "speech": tones gliding between syllable-like bursts, pauses and noise (deterministic).</summary>
    internal static float[] Audio(int seed = 3, double seconds = 1.37)
    {
        var random = new Random(seed);
        var samples = new float[(int)(seconds * 16000)];
        var phase = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            var t = i / 16000.0;
            var syllable = Math.Max(0, Math.Sin(2 * Math.PI * 3.1 * t + seed));
            phase += 2 * Math.PI * (180 + 900 * syllable + 60 * Math.Sin(2 * Math.PI * 0.7 * t)) / 16000;
            samples[i] = (float)(0.5 * syllable * (Math.Sin(phase) + 0.3 * Math.Sin(3 * phase)) + 0.02 * (random.NextDouble() * 2 - 1));
        }
        return samples;
    }

    private sealed class Exported : IDisposable
    {
        public Exported(string spec)
        {
            Parity = new OnnxParity(spec);
            Parity.Export(Path.Combine(Parity.Directory, "offline.onnx"));
            Parity.Generated.Invoke(Parity.Model, "ExportOnnxStreaming", StreamingPath);
            Offline = Parity.Load(Path.Combine(Parity.Directory, "offline.onnx"), batchSize: 1);
            Streaming = OnnxStreamingRecognizer.Load(StreamingPath, new OnnxRecognizerOptions { Threads = 1 });
        }

        public OnnxParity Parity { get; }
        public string StreamingPath => Path.Combine(Parity.Directory, "streaming.onnx");
        public OnnxRecognizer Offline { get; }
        public OnnxStreamingRecognizer Streaming { get; }

        /// <summary>The offline logits and best-path transcript of <paramref name="audio"/>.</summary>
        public (float[,] Logits, LongTranscript Transcript) OfflineResult(float[] audio)
        {
            var features = Offline.FrontEnd!.Compute(new MonoAudio(audio, 16000));
            var logits = Offline.Logits(new[] { features })[0];
            var logProbs = Offline.LogProbabilities(features);
            return (logits, BestPathTimings.Read(logProbs, logits.GetLength(0), logits.GetLength(1), Offline.Vocabulary, Offline.SecondsPerFrame, audio.Length / 16000.0));
        }

        public void Dispose()
        {
            Offline.Dispose();
            Streaming.Dispose();
            Parity.Dispose();
        }
    }

    /// <summary>Feeds <paramref name="audio"/> in pieces; returns the logits, the partial after each piece and the final transcript.</summary>
    private static (float[,] Logits, List<LongTranscript> Partials, LongTranscript Final) Stream(OnnxStreamingRecognizer recognizer, float[] audio, int piece)
    {
        var stream = recognizer.CreateStream();
        var chunks = new List<float[,]>();
        stream.LogitsComputed += chunks.Add;
        var partials = new List<LongTranscript>();
        for (var start = 0; start < audio.Length; start += Math.Min(piece, audio.Length))
        {
            stream.AcceptWaveform(audio.AsSpan(start, Math.Min(piece, audio.Length - start)));
            if (piece >= 160 || start % 1600 == 0) partials.Add(stream.Partial);
        }
        var final = stream.Finish();
        return (Concatenate(chunks), partials, final);
    }

    private static float[,] Concatenate(List<float[,]> chunks)
    {
        var classes = chunks.Count == 0 ? 0 : chunks[0].GetLength(1);
        var result = new float[chunks.Sum(c => c.GetLength(0)), classes];
        var row = 0;
        foreach (var chunk in chunks)
        {
            Buffer.BlockCopy(chunk, 0, result, row * classes * sizeof(float), chunk.Length * sizeof(float));
            row += chunk.GetLength(0);
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Streaming_gives_the_offline_logits_transcript_and_word_times(string spec, int piece)
    {
        using var model = new Exported(spec);
        var audio = Audio();
        var (offlineLogits, offline) = model.OfflineResult(audio);
        var (logits, partials, final) = Stream(model.Streaming, audio, piece);

        Assert.Equal(offlineLogits.GetLength(0), logits.GetLength(0));
        var difference = OnnxParity.MaxDifference(offlineLogits, logits);
        output.WriteLine($"{Path.GetFileName(spec)}, pieces of {(piece == int.MaxValue ? "the whole recording" : piece + " samples")}: {logits.GetLength(0)} logit frames, max |streaming − offline| = {difference:E2}; '{final.Text}'");
        Assert.True(difference < 1e-4, $"streaming logits differ from offline by {difference:E2}");
        Assert.NotEmpty(final.Tokens); // random weights still emit tokens: the comparison is not of empty transcripts
        Assert.Equal(offline.Text, final.Text);
        Assert.Equal(offline.Tokens.Select(t => t.Text), final.Tokens.Select(t => t.Text));
        var frame = model.Streaming.SecondsPerFrame;
        Assert.Equal(offline.Words.Select(w => w.Text), final.Words.Select(w => w.Text));
        foreach (var (a, b) in offline.Words.Zip(final.Words))
        {
            Assert.InRange(Math.Abs(a.Start - b.Start), 0, frame);
            Assert.InRange(Math.Abs(a.End - b.End), 0, frame);
        }

        // Partials only grow: each is a prefix of the final text, its ended tokens final already.
        foreach (var partial in partials)
        {
            Assert.StartsWith(partial.Text, final.Text);
            var ended = partial.Tokens.Take(Math.Max(0, partial.Tokens.Count - 1)).ToList();
            Assert.Equal(ended, final.Tokens.Take(ended.Count));
        }
        Assert.True(partials.Count < 2 || partials[^1].Text.Length >= partials[0].Text.Length);
    }

    [Fact]
    public void Streams_share_no_state()
    {
        using var model = new Exported("streaming.ctc.yaml");
        var (a, b) = (Audio(seed: 3), Audio(seed: 8, seconds: 1.1));
        var aloneA = Stream(model.Streaming, a, 320).Final;
        var aloneB = Stream(model.Streaming, b, 320).Final;
        Assert.NotEqual(aloneA.Text, aloneB.Text); // different audio, different text: a leak would show

        // Interleaved pieces of two streams, and a stream started after others finished, give each alone.
        var (streamA, streamB) = (model.Streaming.CreateStream(), model.Streaming.CreateStream());
        for (var start = 0; start < Math.Max(a.Length, b.Length); start += 320)
        {
            if (start < a.Length) streamA.AcceptWaveform(a.AsSpan(start, Math.Min(320, a.Length - start)));
            if (start < b.Length) streamB.AcceptWaveform(b.AsSpan(start, Math.Min(320, b.Length - start)));
        }
        Assert.Equal(aloneA, streamA.Finish(), TranscriptComparer.Instance);
        Assert.Equal(aloneB, streamB.Finish(), TranscriptComparer.Instance);
        // Same pieces, same chunks through the model: equal to the last bit (other piece sizes agree within float rounding).
        Assert.Equal(aloneA, Stream(model.Streaming, a, 320).Final, TranscriptComparer.Instance);
        Assert.Throws<InvalidOperationException>(() => streamA.AcceptWaveform(new float[1]));
        Assert.Contains("16000 Hz", Assert.Throws<ArgumentException>(() => model.Streaming.CreateStream().AcceptWaveform(new float[1], 8000)).Message);
    }

    [Fact]
    public void The_offline_export_is_not_taken_for_a_streaming_one()
    {
        using var model = new Exported("streaming.ctc.yaml");
        var error = Assert.Throws<FormatException>(() => OnnxStreamingRecognizer.Load(Path.Combine(model.Parity.Directory, "offline.onnx")));
        Assert.Contains("ExportOnnxStreaming", error.Message);
    }

    [SkippableFact]
    public void Onnx_checker_accepts_the_streaming_model()
    {
        OnnxExportTests.RequireOnnxPackage();
        foreach (var spec in new[] { "streaming.ctc.yaml", WideSpec.Value })
        {
            using var model = new Exported(spec);
            var (code, text) = OnnxExportTests.Python($"import onnx; m = onnx.load(r'{model.StreamingPath}'); onnx.checker.check_model(m, full_check=True); print(len(m.graph.input), len(m.graph.output))");
            Assert.True(code == 0, $"{spec}: ONNX's checker refused the streaming model:\n{text}");
            output.WriteLine($"{Path.GetFileName(spec)}: inputs and outputs {text.Trim()}");
        }
    }

    /// <summary>Transcripts equal in text, tokens and words (the records hold lists, which compare by reference).</summary>
    private sealed class TranscriptComparer : IEqualityComparer<LongTranscript>
    {
        public static readonly TranscriptComparer Instance = new();

        public bool Equals(LongTranscript? x, LongTranscript? y) =>
            x is not null && y is not null && x.Text == y.Text && x.Tokens.SequenceEqual(y.Tokens) && x.Words.SequenceEqual(y.Words) && x.Duration == y.Duration;

        public int GetHashCode(LongTranscript obj) => obj.Text.GetHashCode(StringComparison.Ordinal);
    }
}
