using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using CtcDsl.Runtime.Data;
using CtcDsl.Tool.Data;
using CtcDsl.Tool.Spec;
using TorchSharp;

namespace CtcDsl.Tool.Commands;

/// <summary>
/// <c>ctcdsl export-features SPEC MANIFEST OUT.npz</c>: the features of every utterance, computed by the
/// spec's own front-end, with label ids, for the exported PyTorch trainer (train.py). Computing them here
/// rather than in Python keeps one front-end: the features trained on are bit for bit those the .NET app
/// computes at inference.
/// </summary>
public static class ExportFeaturesCommand
{
    /// <summary>Writes <paramref name="output"/>: features [frames, width] float32 concatenated, feature_lengths, labels concatenated, label_lengths, names, tokens, blank.</summary>
    public static int Run(string specPath, string manifest, string output, string? unknownCharacters, string? map, bool skipInfeasible)
    {
        var spec = SpecCompiler.Compile(specPath);
        // Global statistics live in CtcDsl's checkpoints, not in the state dicts the trainer writes: a .NET app
        // loading those would have none, so such specs are refused rather than silently mis-normalised.
        if (spec.FrontEndSettings.Normalization == CtcDsl.Runtime.Audio.FeatureNormalizationMode.Global)
            throw new SpecException($"{specPath}: features.normalize is global, whose statistics a PyTorch state dict cannot carry (CTC0029 in export-pytorch); use normalize: utterance (or none) to train with PyTorch (docs/training-at-scale.md).");
        if (spec.Subwords is not null)
            throw new SpecException($"{specPath}: its vocabulary is a subword one, which the PyTorch trainer does not read yet (CTC0029 in export-pytorch); use a character vocabulary to train with PyTorch (docs/training-at-scale.md).");
        var transcripts = TranscriptPolicy.Resolve(spec, unknownCharacters, map);
        using var session = spec.CreateSession(torch.CPU);
        var options = new DataSetOptions { Infeasible = skipInfeasible ? InfeasiblePolicy.Skip : InfeasiblePolicy.Error };
        var data = session.Load(manifest, transcripts, options, CancellationToken.None);
        var width = spec.Shape.FeatureSize;
        var features = new List<float>();
        var featureLengths = new List<long>();
        var labels = new List<long>();
        var labelLengths = new List<long>();
        var names = new List<string>();
        foreach (var (name, frames, ids) in data.Utterances())
        {
            foreach (var value in frames) features.Add(value); // row-major: frame by frame
            featureLengths.Add(frames.GetLength(0));
            labels.AddRange(ids.Select(i => (long)i));
            labelLengths.Add(ids.Length);
            names.Add(name);
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(output));
        if (directory is not null) Directory.CreateDirectory(directory);
        using (var npz = new NpzWriter(output))
        {
            npz.Add("features", features.ToArray(), featureLengths.Sum(), width);
            npz.Add("feature_lengths", featureLengths.ToArray());
            npz.Add("labels", labels.ToArray());
            npz.Add("label_lengths", labelLengths.ToArray());
            npz.Add("names", names.ToArray());
            npz.Add("tokens", spec.Vocabulary.Tokens.ToArray());
            npz.Add("blank", (long)spec.Vocabulary.BlankIndex);
        }
        Console.WriteLine($"{Path.GetFullPath(output)}: {names.Count} utterance(s), {featureLengths.Sum()} frames of {width} features" +
                          (data.Skipped.Count > 0 ? $", {data.Skipped.Count} skipped (labels longer than their audio allows)" : "") + ".");
        return 0;
    }
}
