using System;
using System.Diagnostics;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Training;
using TorchSharp;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>
/// Training on the runtime's built-in synthetic speech (no download): the generated Synthetic model
/// learns from one seeded set of sentences and is scored on sentences it never saw.
/// </summary>
public static class SyntheticRun
{
    /// <summary>Builds the corpora, trains, and returns the held-out report.</summary>
    public static (TranscriptionReport HeldOut, TrainingHistory History, TimeSpan Elapsed) Train(
        int seed, int epochs, int trainCount, int heldOutCount, torch.Device device, Func<FitOptions, FitOptions>? configure = null)
    {
        var clock = Stopwatch.StartNew();
        var filterbank = new LogFilterbank();
        SyntheticExample[] Examples(int corpusSeed, int count, string prefix) =>
            new SyntheticSpeech(corpusSeed).Utterances(count)
                .Select((u, i) => SyntheticExample.FromTranscript(filterbank.Compute(u.Audio), u.Transcript, $"{prefix} {i}"))
                .ToArray();
        var training = Examples(seed, trainCount, "train");
        var heldOut = Examples(seed + 1_000_000, heldOutCount, "held-out");

        // Global normalisation with statistics of the training set only.
        var statistics = FeatureStatistics.Compute(training.Select(e => e.Features));
        SyntheticExample[] Normalized(SyntheticExample[] set) =>
            set.Select(e => new SyntheticExample(statistics.Normalize(e.Features), e.Labels, e.Name)).ToArray();
        training = Normalized(training);
        heldOut = Normalized(heldOut);

        torch.random.manual_seed(seed);
        using var model = new SyntheticModel(device);
        var options = SyntheticModel.DefaultFitOptions with { Epochs = epochs, Seed = seed, BucketByLength = true };
        var history = model.Fit(training, heldOut, configure is null ? options : configure(options));
        return (model.Report(heldOut), history, clock.Elapsed);
    }
}
