using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using CtcDsl.Models;
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
    /// <summary>Builds the corpora, trains, and returns the held-out report; <paramref name="inspect"/> sees the trained model and the held-out corpus before the model is disposed.</summary>
    public static (TranscriptionReport HeldOut, TrainingHistory History, TimeSpan Elapsed) Train(
        int seed, int epochs, int trainCount, int heldOutCount, torch.Device device, Func<FitOptions, FitOptions>? configure = null,
        Action<SyntheticModel, IReadOnlyList<(CtcDsl.Runtime.Audio.MonoAudio Audio, string Transcript)>>? inspect = null)
    {
        var clock = Stopwatch.StartNew();
        torch.random.manual_seed(seed);
        using var model = new SyntheticModel(device);
        var training = new SyntheticSpeech(seed).Utterances(trainCount);
        var heldOut = new SyntheticSpeech(seed + 1_000_000).Utterances(heldOutCount);

        // The spec's front-end normalises with training-set statistics: fit them first, then the
        // examples compute their features through it (lazily, on the trainer's collating worker).
        model.FitStatistics(training.Select(u => u.Audio));
        var trainExamples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToArray();
        var heldOutExamples = heldOut.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"held-out {i}")).ToArray();

        var options = SyntheticModel.DefaultFitOptions with { Epochs = epochs, Seed = seed, BucketByLength = true };
        var history = model.Fit(trainExamples, heldOutExamples, configure is null ? options : configure(options));
        var report = model.Report(heldOutExamples);
        inspect?.Invoke(model, heldOut);
        return (report, history, clock.Elapsed);
    }
}
