using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Generator;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// Every example spec, generated and compiled in memory, trains a few epochs on small synthetic data
/// (each character rendered as a few noisy frames of its own random pattern) with a falling loss, and
/// its prediction view decodes.
/// </summary>
public class ExampleSpecTrainingTests
{
    public static IEnumerable<object[]> Specs() => GeneratorSnapshotTests.Specs();

    [Theory]
    [MemberData(nameof(Specs))]
    public void Trains_a_few_epochs_with_a_falling_loss(string spec)
    {
        var assembly = GeneratorHarness.Load(Path.Combine(RepositoryPaths.Specs, spec));
        var modelType = assembly.GetTypes().Single(t => t.Name.EndsWith("Model", StringComparison.Ordinal));
        var exampleType = assembly.GetTypes().Single(t => t.Name.EndsWith("Example", StringComparison.Ordinal));
        var featureSize = (int)modelType.GetField("FeatureSize")!.GetValue(null)!;
        var vocabulary = (CtcDsl.Runtime.Text.Vocabulary)modelType.GetProperty("Vocabulary")!.GetValue(null)!;

        // Synthetic utterances: words from a small lexicon, 6 frames per character.
        var random = new Random(11);
        var letters = vocabulary.Tokens.Where(t => t != " ").Take(8).ToArray();
        var patterns = letters.Concat(new[] { " " }).ToDictionary(t => t, _ => Enumerable.Range(0, featureSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
        var lexicon = Enumerable.Range(0, 6).Select(_ => string.Concat(Enumerable.Range(0, random.Next(2, 4)).Select(_ => letters[random.Next(letters.Length)]))).ToArray();
        string Sentence() => string.Join(" ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => lexicon[random.Next(lexicon.Length)]));
        float[,] Render(string text)
        {
            var frames = new float[text.Length * 6, featureSize];
            for (var i = 0; i < text.Length; i++)
                for (var f = 0; f < 6; f++)
                    for (var c = 0; c < featureSize; c++) frames[i * 6 + f, c] = patterns[text[i].ToString()][c] + (float)(random.NextDouble() * 0.2 - 0.1);
            return frames;
        }

        var fromTranscript = exampleType.GetMethod("FromTranscript")!;
        var examples = Array.CreateInstance(exampleType, 24);
        for (var i = 0; i < examples.Length; i++)
        {
            var text = Sentence();
            examples.SetValue(fromTranscript.Invoke(null, new object?[] { Render(text), text, $"synthetic {i}" }), i);
        }

        manual_seed(0);
        using var model = (nn.Module)Activator.CreateInstance(modelType, new object?[] { CPU })!;
        var defaults = (FitOptions)modelType.GetProperty("DefaultFitOptions")!.GetValue(null)!;
        var options = defaults with { Epochs = 8, BatchSize = 8, Log = null };
        var history = (TrainingHistory)modelType.GetMethod("Fit")!.Invoke(model, new object?[] { examples, null, options })!;

        var losses = history.Epochs.Select(e => e.Loss).ToArray();
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < 0.8 * losses[0], $"{spec}: loss {string.Join(" → ", losses.Select(l => l.ToString("F2")))}");

        var transcribe = modelType.GetMethod("Transcribe", new[] { typeof(IReadOnlyList<float[,]>), typeof(CtcDsl.Runtime.Decoding.ICtcDecoder) })!;
        var decoded = (string[])transcribe.Invoke(model, new object?[] { new[] { Render("ab"), Render("a") }, null })!;
        Assert.Equal(2, decoded.Length);
        Assert.All(decoded.SelectMany(d => d), c => Assert.True(vocabulary.IdOf(c) >= 0));

        // The spec's decoder gives its n-best, best first; a decoder passed in code overrides it.
        var specDecoder = (CtcDsl.Runtime.Decoding.ICtcDecoder)modelType.GetProperty("Decoder")!.GetValue(model)!;
        var nBest = specDecoder is CtcDsl.Runtime.Decoding.PrefixBeamSearch beam ? beam.NBest : 1;
        var decode = modelType.GetMethod("Decode")!;
        using var features = tensor(Render("ab").Cast<float>().ToArray(), new long[] { 1, 12, featureSize });
        using var lengths = tensor(new long[] { 12 });
        var hypotheses = (IReadOnlyList<CtcDsl.Runtime.Decoding.Hypothesis>[])decode.Invoke(model, new object?[] { features, lengths, null })!;
        Assert.InRange(hypotheses[0].Count, 1, nBest);
        Assert.True(hypotheses[0].Zip(hypotheses[0].Skip(1)).All(p => p.First.LogProbability >= p.Second.LogProbability));
        var greedyOverride = new CtcDsl.Runtime.Decoding.GreedyCtcDecoder((int)modelType.GetField("BlankIndex")!.GetValue(null)!);
        var overridden = (IReadOnlyList<CtcDsl.Runtime.Decoding.Hypothesis>[])decode.Invoke(model, new object?[] { features, lengths, greedyOverride })!;
        Assert.Single(overridden[0]);
    }
}
