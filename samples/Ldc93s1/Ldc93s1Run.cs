using System;
using CtcDsl.Models;
using CtcDsl.Runtime.Training;
using TorchSharp;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>One training run of the seed model, as the article runs it.</summary>
public sealed record Ldc93s1Run(Ldc93s1Model Model, TrainingHistory History, string[] Decoded)
{
    /// <summary>
    /// Seeds TorchSharp, builds the generated model and trains it with the spec's defaults. As in the
    /// article, the validation data is the training data.
    /// </summary>
    /// <param name="configure">Adjusts the spec's training defaults (progress, checkpoints, resume, cancellation).</param>
    public static Ldc93s1Run Train(Ldc93s1Data data, int seed, int epochs, torch.Device device, Func<FitOptions, FitOptions>? configure = null)
    {
        torch.random.manual_seed(seed);
        var model = new Ldc93s1Model(device);
        var options = Ldc93s1Model.DefaultFitOptions with { Epochs = epochs, Seed = seed };
        var history = model.Fit(data.Examples, validation: data.Examples, configure is null ? options : configure(options));
        var features = new float[data.Examples.Count][,];
        for (var i = 0; i < features.Length; i++) features[i] = data.Examples[i].Features;
        return new Ldc93s1Run(model, history, model.Transcribe(features));
    }
}
