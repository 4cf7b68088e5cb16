using System;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Text;
using CtcDsl.Samples.Ldc93s1;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>The seed spec, generated and trained on the real LDC93S1 data, as the sample does.</summary>
public class SeedModelTests
{
    /// <summary>The sample's default seed, used by the sample's run (exact from epoch 201 on; other seeds: docs/benchmarks.md, "Seeds that converge").</summary>
    private const int Seed = SampleArguments.DefaultSeed;

    [SkippableFact]
    public void Trains_to_exact_decodes_with_zero_label_error_rate_within_400_epochs()
    {
        var data = Ldc93s1Data.Load(SharedData.Ldc93s1());

        var run = Ldc93s1Run.Train(data, Seed, epochs: 400, CPU, o => o with { Progress = null });
        using var model = run.Model;

        Assert.Equal(400, run.History.Epochs.Count);
        Assert.Equal(new[] { "she had your dark suit in greasy wash water all year", "dark suit in greasy" }, run.Decoded);
        Assert.Equal(data.Transcripts, run.Decoded);
        var last = run.History.Epochs[^1];
        Assert.Equal(0.0, last["val_ler"]);
        Assert.InRange(run.History.Epochs[0].Loss, 400, 700);   // article: 546.4
        Assert.InRange(last["val_loss"], 0, 10);                 // article: 1.67

        // Forced alignment of a model that decodes exactly: the best path spelling the transcript is
        // the frame-by-frame argmax path itself, and its words follow the recording in order.
        var alignment = model.Align(data.Examples[0].Features, data.Transcripts[0]);
        using (no_grad())
        using (var features = tensor(data.Examples[0].Features.Cast<float>().ToArray(), new long[] { 1, data.Examples[0].Features.GetLength(0), Ldc93s1Model.FeatureSize }))
        using (var best = model.forward(features, tensor(new long[] { features.shape[1] })).argmax(-1))
            Assert.Equal(best[0].data<long>().ToArray().Select(c => (int)c).ToArray(), alignment.Path);
        var audio = CtcDsl.Runtime.Audio.WavAudio.Read(System.IO.Path.Combine(data.Directory, "LDC93S1.wav"));
        var words = model.AlignWords(audio, data.Transcripts[0]);
        Assert.Equal(data.Transcripts[0].Split(' '), words.Select(w => w.Text));
        Assert.Equal(0.01, model.SecondsPerFrame, 9);
        Assert.All(words.Zip(words.Skip(1)), p => Assert.True(p.First.End <= p.Second.Start, $"{p.First} overlaps {p.Second}"));
        Assert.All(words, w => Assert.InRange(w.End, w.Start, audio.Duration));
    }

    [SkippableFact]
    public void Padded_batch_gives_the_same_logits_and_losses_as_each_utterance_alone()
    {
        var data = Ldc93s1Data.Load(SharedData.Ldc93s1());
        manual_seed(3);
        using var model = new Ldc93s1Model(CPU);
        model.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var ctc = new CtcLoss(Ldc93s1Model.BlankIndex);

        using var batch = Ldc93s1Batch.Collate(data.Examples, CPU);
        var batchLogits = model.forward(batch.Features, batch.FeatureLengths);
        var batchLosses = ctc.PerUtterance(batchLogits, batch.FeatureLengths, batch.Labels, batch.LabelLengths);

        for (var i = 0; i < data.Examples.Count; i++)
        {
            using var single = Ldc93s1Batch.Collate(new[] { data.Examples[i] }, CPU);
            var logits = model.forward(single.Features, single.FeatureLengths);
            var loss = ctc.PerUtterance(logits, single.FeatureLengths, single.Labels, single.LabelLengths);
            var frames = data.Examples[i].Features.GetLength(0);
            var maxDifference = (batchLogits[i].narrow(0, 0, frames) - logits[0]).abs().max().item<float>();
            Assert.True(maxDifference < 1e-5f, $"utterance {i}: logits differ by {maxDifference}");
            Assert.Equal(loss[0].item<float>(), batchLosses[i].item<float>(), 3);
        }
    }

    [Fact]
    public void Bad_examples_fail_with_the_item_named()
    {
        var tooLong = Assert.Throws<ArgumentException>(() => new Ldc93s1Example(new float[3, 13], new[] { 1, 2, 3, 4 }, "clip-7.wav"));
        Assert.Contains("clip-7.wav", tooLong.Message);
        Assert.Contains("4 labels need at least 4 output frames", tooLong.Message);

        var repeat = Assert.Throws<ArgumentException>(() => new Ldc93s1Example(new float[2, 13], new[] { 5, 5 }, "clip-8.wav"));
        Assert.Contains("need at least 3 output frames", repeat.Message);

        var wrongWidth = Assert.Throws<ArgumentException>(() => new Ldc93s1Example(new float[10, 12], new[] { 1 }, "clip-9.wav"));
        Assert.Contains("clip-9.wav", wrongWidth.Message);
        Assert.Contains("13", wrongWidth.Message);

        var unknown = Assert.Throws<VocabularyException>(() => Ldc93s1Example.FromTranscript(new float[10, 13], "hi!", "line 3"));
        Assert.Contains("line 3", unknown.Message);
        Assert.Equal(2, unknown.Position);
    }

    [Fact]
    public void Lazy_examples_load_features_once_and_validate_them_when_loaded()
    {
        var loads = 0;
        var lazy = new Ldc93s1Example(() => { System.Threading.Interlocked.Increment(ref loads); return new float[50, 13]; }, new[] { 1, 2 }, "lazy.wav");
        Assert.Equal(0, loads);
        Assert.Equal(50, lazy.Features.GetLength(0));
        Assert.Equal(50, lazy.Features.GetLength(0));
        Assert.Equal(1, loads);

        var wrong = new Ldc93s1Example(() => new float[50, 12], new[] { 1 }, "wrong.wav");
        Assert.Contains("wrong.wav", Assert.Throws<ArgumentException>(() => wrong.Features).Message);
    }
}
