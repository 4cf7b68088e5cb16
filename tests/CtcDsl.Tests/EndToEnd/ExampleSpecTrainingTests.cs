using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Tests.Generator;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// Every example spec, generated and compiled in memory, trains a few epochs on small synthetic data
/// with a falling loss, and its prediction view decodes with the spec's decoder or one given in code.
/// </summary>
public class ExampleSpecTrainingTests
{
    public static IEnumerable<object[]> Specs() => GeneratorSnapshotTests.Specs();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Trains_a_few_epochs_with_a_falling_loss(string spec)
    {
        var generated = new GeneratedModel(spec);
        var examples = generated.Examples(24);

        manual_seed(0);
        using var model = generated.Create();
        var history = generated.Fit(model, examples, null, ShortRun(generated.DefaultFitOptions with { Epochs = 8, BatchSize = 8, Progress = null }));

        var losses = history.Epochs.Select(e => e.Loss).ToArray();
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < 0.8 * losses[0], $"{spec}: loss {string.Join(" → ", losses.Select(l => l.ToString("F2")))}");

        var decoded = generated.Transcribe(model, new[] { generated.Render("ab"), generated.Render("a") });
        Assert.Equal(2, decoded.Length);
        Assert.All(decoded.SelectMany(d => d), c => Assert.True(generated.Vocabulary.Covers(c))); // a subword text has spaces where pieces carry the word marker

        // The spec's decoder gives its n-best, best first; a decoder passed in code overrides it.
        var specDecoder = (ICtcDecoder)generated.ModelType.GetProperty("Decoder")!.GetValue(model)!;
        var nBest = specDecoder is PrefixBeamSearch beam ? beam.NBest : 1;
        using var features = tensor(generated.Render("ab").Cast<float>().ToArray(), new long[] { 1, 12, generated.FeatureSize });
        using var lengths = tensor(new long[] { 12 });
        var hypotheses = (IReadOnlyList<Hypothesis>[])generated.Invoke(model, "Decode", features, lengths, null);
        Assert.InRange(hypotheses[0].Count, 1, nBest);
        Assert.True(hypotheses[0].Zip(hypotheses[0].Skip(1)).All(p => p.First.LogProbability >= p.Second.LogProbability));
        var greedy = new GreedyCtcDecoder(generated.Vocabulary.BlankIndex);
        var overridden = (IReadOnlyList<Hypothesis>[])generated.Invoke(model, "Decode", features, lengths, greedy);
        Assert.Single(overridden[0]);
    }

    /// <summary>A few epochs cannot hold a spec's full warm-up (Fit refuses one that never ends), so it is shortened to one step.</summary>
    internal static CtcDsl.Runtime.Training.FitOptions ShortRun(CtcDsl.Runtime.Training.FitOptions options) =>
        options.Schedule is CtcDsl.Runtime.Training.LearningRateSchedule.Warmup warmup ? options with { Schedule = warmup with { Steps = 1 } } : options;
}
