using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Onnx;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// The streaming example spec trained on the built-in synthetic speech, exported in both forms: a
/// microphone-sized stream gives the offline model's transcripts and word times of held-out sentences,
/// and the first partial result, the per-piece compute time and the real-time factor are measured
/// (the figures in docs/deployment.md come from this test's output).
/// </summary>
public class StreamingSpeechTests(ITestOutputHelper output)
{
    [Fact]
    public void A_streaming_model_trained_on_synthetic_speech_streams_its_offline_transcripts()
    {
        const int seed = 3;
        random.manual_seed(seed);
        using var model = new StreamingModel(CPU);
        var training = new SyntheticSpeech(seed).Utterances(300);
        var heldOut = new SyntheticSpeech(seed + 1_000_000).Utterances(12);
        model.FitStatistics(training.Select(u => u.Audio));
        var examples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToArray();
        model.Fit(examples, null, StreamingModel.DefaultFitOptions with { Epochs = 12, Seed = seed, BucketByLength = true, Progress = null });
        var report = model.Report(heldOut.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"held-out {i}")).ToArray());
        output.WriteLine($"held-out CER of the trained streaming model: {report.CharacterErrorRate:P1}");
        Assert.True(report.CharacterErrorRate < 0.25, report.ToText(worst: 3)); // it learned: the transcripts compared below are words

        var folder = Path.Combine(Path.GetTempPath(), "ctcdsl-streaming-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            model.ExportOnnx(Path.Combine(folder, "offline.onnx"));
            model.ExportOnnxStreaming(Path.Combine(folder, "streaming.onnx"));
            using var offline = OnnxRecognizer.Load(Path.Combine(folder, "offline.onnx"), new OnnxRecognizerOptions { Threads = 1 });
            using var streaming = OnnxStreamingRecognizer.Load(Path.Combine(folder, "streaming.onnx"), new OnnxRecognizerOptions { Threads = 1 });
            var frame = streaming.SecondsPerFrame;
            foreach (var piece in new[] { 320, 1600 })
            {
                var offlineCompute = TimeSpan.Zero;
                var (compute, audioSeconds, slowest, firstPartials) = (TimeSpan.Zero, 0.0, TimeSpan.Zero, new System.Collections.Generic.List<(double Fed, double TokenEnd, double Compute)>());
                foreach (var (audio, _) in heldOut)
                {
                    var expected = model.Transcribe(audio);
                    var offlineClock = Stopwatch.StartNew();
                    var offlineTranscript = offline.Transcribe(audio);
                    offlineCompute += offlineClock.Elapsed;
                    Assert.Equal(expected, offlineTranscript);
                    var offlineTimed = BestPathTimings.Read(offline.LogProbabilities(offline.FrontEnd!.Compute(audio)), offline.Logits(new[] { offline.FrontEnd.Compute(audio) })[0].GetLength(0), offline.Vocabulary.ClassCount, offline.Vocabulary, frame, audio.Duration);

                    var stream = streaming.CreateStream();
                    (double Fed, double Compute)? first = null;
                    for (var start = 0; start < audio.Samples.Length; start += piece)
                    {
                        var clock = Stopwatch.StartNew();
                        stream.AcceptWaveform(audio.Samples.AsSpan(start, Math.Min(piece, audio.Samples.Length - start)));
                        var partial = stream.Partial;
                        clock.Stop();
                        compute += clock.Elapsed;
                        slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                        if (first is null && partial.Tokens.Count > 0) first = (stream.Duration, clock.Elapsed.TotalSeconds);
                    }
                    var finish = Stopwatch.StartNew();
                    var final = stream.Finish();
                    compute += finish.Elapsed;
                    audioSeconds += audio.Duration;

                    Assert.Equal(offlineTranscript, final.Text);
                    Assert.Equal(offlineTimed.Words.Select(w => w.Text), final.Words.Select(w => w.Text));
                    foreach (var (a, b) in offlineTimed.Words.Zip(final.Words))
                        Assert.True(Math.Abs(a.Start - b.Start) <= frame && Math.Abs(a.End - b.End) <= frame, $"'{a.Text}': {a.Start:0.000}-{a.End:0.000} s offline, {b.Start:0.000}-{b.End:0.000} s streamed");
                    if (first is { } f && final.Tokens.Count > 0) firstPartials.Add((f.Fed, final.Tokens[0].End, f.Compute));
                }
                output.WriteLine($"pieces of {piece} samples ({piece / 16.0:0} ms): RTF {compute.TotalSeconds / audioSeconds:0.0000} ({audioSeconds:0.0} s of audio), slowest piece {slowest.TotalMilliseconds:0.0} ms; " +
                    $"first partial after {firstPartials.Average(p => p.Fed) * 1000:0} ms of audio on average, {firstPartials.Average(p => p.Fed - p.TokenEnd) * 1000:0} ms after its token's last frame ends " +
                    $"(max {firstPartials.Max(p => p.Fed - p.TokenEnd) * 1000:0} ms), computed in {firstPartials.Average(p => p.Compute) * 1000:0.0} ms; " +
                    $"offline (ExportOnnx, each sentence whole) RTF {offlineCompute.TotalSeconds / audioSeconds:0.0000}");
            }
        }
        finally
        {
            try { Directory.Delete(folder, recursive: true); } catch (IOException) { }
        }
    }
}
