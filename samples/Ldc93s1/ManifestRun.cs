using System;
using System.IO;
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
        Console.Write(model.Report(validation?.Examples ?? training.Examples).ToText(worst: 5));
        return history.Stopped ? 130 : 0;
    }
}
