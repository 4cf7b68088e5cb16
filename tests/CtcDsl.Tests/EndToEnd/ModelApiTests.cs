using System;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>The generated models' everyday API: saving and loading, front-end statistics, and bad examples found before training.</summary>
public sealed class ModelApiTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-api-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static float[] Weights(nn.Module module) => module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Fact]
    public void SaveCheckpoint_then_LoadCheckpoint_gives_the_weights_and_the_front_end_statistics_back()
    {
        var audio = new SyntheticSpeech(3).Utterances(4).Select(u => u.Audio).ToArray();
        random.manual_seed(1);
        using var model = new SyntheticModel(CPU);
        var statistics = model.FitStatistics(audio);
        var path = Path.Combine(directory, "model.ckpt");
        model.SaveCheckpoint(path);

        random.manual_seed(2);
        using var loaded = new SyntheticModel(CPU);
        Assert.NotEqual(Weights(model), Weights(loaded));
        Assert.Null(loaded.FrontEnd.Statistics);
        loaded.LoadCheckpoint(path);
        Assert.Equal(Weights(model), Weights(loaded));
        Assert.Equal(statistics.Mean, loaded.FrontEnd.Statistics!.Mean);
        Assert.Equal(model.Transcribe(audio[0]), loaded.Transcribe(audio[0]));

        // Fit can resume from it (with a fresh optimiser).
        var examples = new SyntheticSpeech(4).Utterances(4).Select((u, i) => loaded.ExampleFromAudio(u.Audio, u.Transcript, $"u{i}")).ToArray();
        var history = loaded.Fit(examples, null, SyntheticModel.DefaultFitOptions with { Epochs = 1, Progress = null, ResumeFrom = path });
        Assert.Single(history.Epochs);
    }

    [Fact]
    public void Lazily_loaded_examples_that_cannot_be_trained_on_fail_Fit_before_it_trains_and_are_named()
    {
        random.manual_seed(1);
        using var model = new Ldc93s1Model(CPU);
        var before = Weights(model);
        var good = Enumerable.Range(0, 3).Select(i => new Ldc93s1Example(() => new float[40, Ldc93s1Model.FeatureSize], new[] { 1, 2, 3 }, $"good {i}")).ToList();
        var tooShort = new Ldc93s1Example(() => new float[4, Ldc93s1Model.FeatureSize], Enumerable.Repeat(1, 10).ToArray(), "too short");
        var tooNarrow = new Ldc93s1Example(() => new float[40, 5], new[] { 1 }, "too narrow");

        var error = Assert.Throws<ArgumentException>(() =>
            model.Fit(good.Append(tooShort).Append(tooNarrow).ToList(), null, Ldc93s1Model.DefaultFitOptions with { Epochs = 1, Progress = null }));
        Assert.StartsWith("2 training examples cannot be trained on", error.Message);
        Assert.Contains("too short", error.Message);
        Assert.Contains("too narrow", error.Message);
        Assert.Equal(before, Weights(model)); // nothing trained

        var validation = Assert.Throws<ArgumentException>(() =>
            model.Fit(good, new[] { tooShort }, Ldc93s1Model.DefaultFitOptions with { Epochs = 1, Progress = null }));
        Assert.StartsWith("1 validation example cannot be trained on", validation.Message);
    }
}
