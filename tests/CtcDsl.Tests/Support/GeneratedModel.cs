using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Support;

/// <summary>
/// The model of an example spec, generated and compiled in memory, driven through reflection, with
/// synthetic utterances to train on: each character rendered as 6 noisy frames of its own pattern.
/// </summary>
internal sealed class GeneratedModel
{
    private readonly Type modelType;
    private readonly Type exampleType;
    private readonly Dictionary<char, float[]> patterns;
    private readonly Random random = new(11);

    public GeneratedModel(string specFile)
    {
        var assembly = GeneratorHarness.Load(Path.Combine(RepositoryPaths.Specs, specFile));
        modelType = assembly.GetTypes().Single(t => t.Name.EndsWith("Model", StringComparison.Ordinal));
        exampleType = assembly.GetTypes().Single(t => t.Name.EndsWith("Example", StringComparison.Ordinal));
        FeatureSize = (int)modelType.GetField("FeatureSize")!.GetValue(null)!;
        // A subword spec's pieces come from data: trained here on the built-in synthetic speech's sentences.
        if (modelType.GetProperty("Subwords")?.GetValue(null) is SubwordSettings subwords)
        {
            var speech = new CtcDsl.Runtime.Data.SyntheticSpeech(seed: 0);
            subwords.Train(Enumerable.Range(0, 300).Select(_ => speech.GrammarSentence()).ToArray());
        }
        Vocabulary = (Vocabulary)modelType.GetProperty("Vocabulary")!.GetValue(null)!;
        // Single characters (a subword vocabulary's one-character pieces other than its word marker).
        Letters = Vocabulary.Tokens.Where(t => t.Length == 1 && t != " " && t[0] != SubwordModel.Marker).Take(8).Select(t => t[0]).ToArray();
        patterns = Letters.Append(' ').ToDictionary(c => c, _ => Enumerable.Range(0, FeatureSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
    }

    public int FeatureSize { get; }

    public Vocabulary Vocabulary { get; }

    public char[] Letters { get; }

    public Type ModelType => modelType;

    public nn.Module Create() => (nn.Module)Activator.CreateInstance(modelType, new object?[] { CPU })!;

    public FitOptions DefaultFitOptions => (FitOptions)modelType.GetProperty("DefaultFitOptions")!.GetValue(null)!;

    /// <summary>Frames for <paramref name="text"/>: 6 per character, its pattern plus ±0.1 noise.</summary>
    public float[,] Render(string text)
    {
        var frames = new float[text.Length * 6, FeatureSize];
        for (var i = 0; i < text.Length; i++)
            for (var f = 0; f < 6; f++)
                for (var c = 0; c < FeatureSize; c++) frames[i * 6 + f, c] = patterns[text[i]][c] + (float)(random.NextDouble() * 0.2 - 0.1);
        return frames;
    }

    /// <summary>A typed array of <paramref name="count"/> examples: one or two words from a six-word lexicon.</summary>
    public Array Examples(int count)
    {
        var lexicon = Enumerable.Range(0, 6).Select(_ => new string(Enumerable.Range(0, random.Next(2, 4)).Select(_ => Letters[random.Next(Letters.Length)]).ToArray())).ToArray();
        var fromTranscript = exampleType.GetMethod("FromTranscript")!;
        var examples = Array.CreateInstance(exampleType, count);
        for (var i = 0; i < count; i++)
        {
            var text = string.Join(" ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => lexicon[random.Next(lexicon.Length)]));
            examples.SetValue(fromTranscript.Invoke(null, new object?[] { Render(text), text, $"synthetic {i}" }), i);
        }
        return examples;
    }

    public TrainingHistory Fit(nn.Module model, Array examples, Array? validation, FitOptions options) =>
        (TrainingHistory)Invoke(model, "Fit", examples, validation, options);

    public string[] Transcribe(nn.Module model, IReadOnlyList<float[,]> features, ICtcDecoder? decoder = null) =>
        (string[])modelType.GetMethod("Transcribe", new[] { typeof(IReadOnlyList<float[,]>), typeof(ICtcDecoder) })!.Invoke(model, new object?[] { features, decoder })!;

    public object Invoke(nn.Module model, string method, params object?[] arguments) =>
        modelType.GetMethods().Single(m => m.Name == method && m.GetParameters().Length == arguments.Length).Invoke(model, arguments)!;
}
