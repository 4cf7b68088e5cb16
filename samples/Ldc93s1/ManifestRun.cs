using System;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;
using TorchSharp;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>The seed spec trained on a data set of one's own: manifest to examples in one call, then Fit and a report.</summary>
public static class ManifestRun
{
    /// <summary>Loads <paramref name="manifest"/> (and the validation manifest) through the spec's front-end and trains.</summary>
    public static int Train(string manifest, SampleArguments arguments, torch.Device device)
    {
        torch.random.manual_seed(arguments.Seed);
        using var model = new Ldc93s1Model(device);
        var cache = Path.Combine(arguments.CheckpointDirectory ?? "runs", "feature-cache");
        // Features are computed once into the cache and streamed from it every epoch: memory stays flat however large the corpus.
        var options = new DataSetOptions { CacheDirectory = cache, StreamFromDisk = true, Infeasible = InfeasiblePolicy.Skip };
        var training = model.LoadDataSet(manifest, options);
        var validation = arguments.ValidManifest is { } valid ? model.LoadDataSet(valid, options) : null;
        Console.WriteLine($"{manifest}: {training.Examples.Count} utterances ({training.Skipped.Count} skipped: labels longer than their audio allows)" +
                          (validation is null ? "" : $"; {arguments.ValidManifest}: {validation.Examples.Count}") + $". Features at {Ldc93s1Model.FrontEndSettings.SampleRate} Hz, streamed from {cache}.");
        foreach (var skipped in training.Skipped) Console.WriteLine("  skipped " + skipped);

        using var stopSignals = new StopSignals();
        var checkpoints = new CheckpointOptions(arguments.CheckpointDirectory ?? Path.Combine("runs", $"manifest-seed{arguments.Seed}"));
        // This trains the seed spec (LSTM 50, SGD), sized for one utterance; the ctcdsl tool trains any spec on a manifest.
        Console.WriteLine($"Checkpoints: {Path.GetFullPath(checkpoints.Directory)} (an earlier run there is overwritten; for other specs and a folder per run, see the ctcdsl tool, docs/cli.md)");
        var history = model.Fit(training.Examples, validation?.Examples, Ldc93s1Model.DefaultFitOptions with
        {
            Epochs = arguments.Epochs,
            Seed = arguments.Seed,
            Checkpoints = checkpoints,
            ResumeFrom = arguments.Resume,
            CancellationToken = stopSignals.Token,
        });
        if (history.Stopped) Console.WriteLine($"Stopped. Resume with: --resume {checkpoints.LastPath}");
        if (!SampleDecoding.Apply(model, arguments)) return 1;
        var report = model.Report(validation?.Examples ?? training.Examples);
        Console.Write(report.ToText(worst: 5));
        var empty = report.Results.Count(r => string.IsNullOrWhiteSpace(r.Hypothesis));
        if (empty > 0) Console.Error.WriteLine($"warning: {empty} of {report.Results.Count} transcripts are empty: the model has not learned yet (docs/cli.md, 'When nothing is learned').");
        Console.WriteLine($"Checkpoints: {Path.GetFullPath(checkpoints.Directory)}");
        return history.Stopped ? 130 : 0;
    }
}
