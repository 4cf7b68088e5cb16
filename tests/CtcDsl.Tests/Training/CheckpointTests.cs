using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Interop;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Training;

/// <summary>Checkpoints, exact resume, history files and PyTorch state dicts, on generated models.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-checkpoints-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static float[] Weights(nn.Module module) =>
        module.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Fact]
    public void Training_in_one_go_equals_training_half_stopping_and_resuming()
    {
        // BiGRU: dropout, shuffling, Adam and an exponential schedule all carry state across epochs.
        var generated = new GeneratedModel("bigru.ctc.yaml");
        var examples = generated.Examples(16);
        var options = generated.DefaultFitOptions with { BatchSize = 4, Progress = null };

        manual_seed(5);
        using var straight = generated.Create();
        var full = generated.Fit(straight, examples, examples, options with { Epochs = 6 });

        manual_seed(5);
        using var first = generated.Create();
        var half = generated.Fit(first, examples, examples, options with { Epochs = 3, Checkpoints = new CheckpointOptions(directory) });
        Assert.Equal(3, half.Epochs.Count);

        manual_seed(12345); // the resumed run must not depend on the generator's state before it
        using var second = generated.Create();
        var resumed = generated.Fit(second, examples, examples, options with { Epochs = 6, ResumeFrom = Path.Combine(directory, "last.ckpt") });

        var difference = Weights(straight).Zip(Weights(second)).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(difference <= 1e-6, $"weights differ by {difference}");
        Assert.Equal(full.Epochs.Select(e => e.Loss), resumed.Epochs.Select(e => e.Loss));
    }

    [Fact]
    public void Weights_load_into_the_modules_own_tensors_and_a_module_of_another_shape_is_refused_unchanged()
    {
        var path = Path.Combine(directory, "plain.ckpt");
        var vocabulary = new CtcDsl.Runtime.Text.Vocabulary(new[] { "a", "b" }, blankIndex: 2);
        manual_seed(3);
        using var source = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2));
        using (var sgd = optim.SGD(source.parameters(), 0.1))
            Checkpoint.Save(path, "Plain", vocabulary, source, sgd, epoch: 1, step: 1, new TrainingHistory());
        var checkpoint = Checkpoint.Load(path);

        // Same layout: values copied in, and the tensors stay the ones an optimiser already holds.
        manual_seed(4);
        using var same = nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2));
        var handles = same.parameters().Select(p => p.Handle).ToArray();
        checkpoint.RestoreWeights(same, path);
        Assert.Equal(handles, same.parameters().Select(p => p.Handle).ToArray());
        Assert.Equal(Weights(source), Weights(same));

        // Another shape, a missing layer, an extra layer: refused with the reason, weights untouched.
        foreach (var (other, reason) in new (nn.Module, string)[]
        {
            (nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 5)), "1: bias [2] → [5], weight [2, 3] → [5, 3]"),
            (nn.Sequential(nn.Linear(4, 3)), "1 (only in the checkpoint): bias [2] → none, weight [2, 3] → none"),
            (nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2), nn.Linear(2, 2)), "2 (not in the checkpoint): bias none → [2], weight none → [2, 2]"),
        })
        {
            using (other)
            {
                var before = Weights(other);
                var error = Assert.Throws<CheckpointException>(() => checkpoint.RestoreWeights(other, path));
                Assert.Contains(reason, error.Message);
                Assert.Equal(before, Weights(other));
            }
        }
    }

    [Fact]
    public void A_checkpoint_of_an_edited_spec_names_the_layers_that_changed_old_and_new()
    {
        // The seed spec, then the same spec with a wider LSTM: same model name and vocabulary, other shapes.
        var edited = Path.Combine(directory, "ldc93s1.ctc.yaml");
        var seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));
        Assert.Contains("units: 50", seed);
        File.WriteAllText(edited, seed.Replace("units: 50", "units: 60"));
        var before = new GeneratedModel("ldc93s1.ctc.yaml");
        var after = new GeneratedModel(edited);
        var path = Path.Combine(directory, "seed.ckpt");
        using (var model = before.Create())
        using (var sgd = optim.SGD(model.parameters(), 0.1))
            Checkpoint.Save(path, "Ldc93s1Model", before.Vocabulary, model, sgd, epoch: 1, step: 1, new TrainingHistory());

        using var wider = after.Create();
        var weights = Weights(wider);
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path).RestoreWeights(wider, path));
        // LSTM gates are 4 × units wide; the dense layer reads the LSTM's units.
        Assert.Contains("[200, 13] → [240, 13]", error.Message);
        Assert.Contains("[200, 50] → [240, 60]", error.Message);
        Assert.Contains("logits: weight [28, 50] → [28, 60]", error.Message);
        Assert.Contains("was the spec edited", error.Message);
        Assert.Equal(weights, Weights(wider));
    }

    [Fact]
    public void Checkpoints_and_history_files_are_written_and_read_back()
    {
        var generated = new GeneratedModel("ldc93s1.ctc.yaml");
        var examples = generated.Examples(8);
        manual_seed(1);
        using var model = generated.Create();
        var history = generated.Fit(model, examples, examples, generated.DefaultFitOptions with
        {
            Epochs = 3, BatchSize = 4, Progress = null,
            Checkpoints = new CheckpointOptions(directory, Monitor: "val_loss") { Extras = new System.Collections.Generic.Dictionary<string, float[]> { ["feature_mean"] = new[] { 1.5f, -2f } } },
        });

        foreach (var file in new[] { "last.ckpt", "best.ckpt", "history.csv", "history.json", "history.png" })
            Assert.True(File.Exists(Path.Combine(directory, file)), file);
        var csv = File.ReadAllLines(Path.Combine(directory, "history.csv"));
        Assert.Equal("epoch,loss,ler,val_loss,val_ler,seconds", csv[0]);
        Assert.Equal(4, csv.Length);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(Path.Combine(directory, "history.png")).Take(4));

        var checkpoint = Checkpoint.Load(Path.Combine(directory, "last.ckpt"));
        Assert.Equal(3, checkpoint.Epoch);
        Assert.Equal("Ldc93s1Model", checkpoint.ModelName);
        Assert.Equal(history.Epochs.Select(e => e.Loss), checkpoint.History.Epochs.Select(e => e.Loss));
        Assert.Equal(new[] { 1.5f, -2f }, checkpoint.Extras["feature_mean"]);
        var bestEpoch = history.Epochs.OrderBy(e => e["val_loss"]).First().Epoch;
        Assert.Equal(bestEpoch, Checkpoint.Load(Path.Combine(directory, "best.ckpt")).Epoch);

        using var restored = generated.Create();
        checkpoint.RestoreWeights(restored, "last.ckpt");
        Assert.Equal(Weights(model), Weights(restored));
    }

    [Fact]
    public void Damaged_or_foreign_checkpoints_fail_with_a_clear_error()
    {
        var seed = new GeneratedModel("ldc93s1.ctc.yaml");
        manual_seed(1);
        using var model = seed.Create();
        var path = Path.Combine(directory, "last.ckpt");
        seed.Fit(model, seed.Examples(4), null, seed.DefaultFitOptions with { Epochs = 1, Progress = null, Checkpoints = new CheckpointOptions(directory) });
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(path + ".cut", bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path + ".cut")).Message);

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path + ".flip", flipped);
        Assert.Contains("corrupted", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path + ".flip")).Message);

        File.WriteAllText(path + ".txt", "not a checkpoint at all");
        Assert.Contains("not a CtcDsl checkpoint", Assert.Throws<CheckpointException>(() => Checkpoint.Load(path + ".txt")).Message);

        // Another spec: the model name differs.
        var other = new GeneratedModel("interctc.ctc.yaml");
        using var otherModel = other.Create();
        var foreign = Assert.Throws<System.Reflection.TargetInvocationException>(() =>
            other.Fit(otherModel, other.Examples(4), null, other.DefaultFitOptions with { Epochs = 2, Progress = null, ResumeFrom = path }));
        Assert.Contains("is of Ldc93s1Model, not InterCtcModel", Assert.IsType<CheckpointException>(foreign.InnerException).Message);

        // Same name, another vocabulary.
        var checkpoint = Checkpoint.Load(path);
        var vocabulary = new CtcDsl.Runtime.Text.Vocabulary(seed.Vocabulary.Tokens.Reverse().ToArray(), seed.Vocabulary.BlankIndex);
        Assert.Contains("vocabulary", Assert.Throws<CheckpointException>(() => checkpoint.EnsureMatches("Ldc93s1Model", vocabulary, path)).Message);
    }

    [Fact]
    public void A_failure_between_write_and_rename_leaves_the_previous_checkpoint_intact()
    {
        var generated = new GeneratedModel("ldc93s1.ctc.yaml");
        manual_seed(1);
        using var model = generated.Create();
        using var optimizer = optim.SGD(model.parameters(), 0.01);
        var path = Path.Combine(directory, "last.ckpt");
        var history = new TrainingHistory();
        Checkpoint.Save(path, "Ldc93s1Model", generated.Vocabulary, model, optimizer, epoch: 1, step: 1, history);
        var before = File.ReadAllBytes(path);

        using (no_grad()) foreach (var p in model.parameters()) p.add_(1);
        var failure = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, "Ldc93s1Model", generated.Vocabulary, model, optimizer, epoch: 2, step: 2, history,
            beforeReplace: () => throw new IOException("simulated crash between write and rename")));
        Assert.Contains("the previous one, if any, is intact", failure.Message);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(1, Checkpoint.Load(path).Epoch);
        Assert.Equal(new[] { "last.ckpt" }, Directory.GetFiles(directory).Select(Path.GetFileName)); // no temporary left behind
    }

    [Fact]
    public void PyTorch_state_dict_round_trips_with_documented_names()
    {
        var generated = new GeneratedModel("deepspeech2.ctc.yaml");
        manual_seed(1);
        using var model = generated.Create();
        var path = Path.Combine(directory, "model.pt");
        generated.Invoke(model, "SaveStateDict", path);

        var names = PyTorchInterop.Describe(path);
        Assert.Equal(new long[] { 64, 26, 11 }, names["conv1.weight"]);
        Assert.Equal(new long[] { 512, 64 }, names["encoder.forwardLayers.0.weight_ih_l0"]);
        Assert.Equal(new long[] { 512, 128 }, names["encoder.backwardLayers.1.weight_hh_l0"]);
        Assert.Equal(new long[] { 29, 256 }, names["logits.weight"]);
        Assert.Contains("norm1.running_mean", names.Keys);

        manual_seed(2);
        using var other = generated.Create();
        Assert.NotEqual(Weights(model), Weights(other));
        generated.Invoke(other, "LoadStateDict", path);
        Assert.Equal(Weights(model), Weights(other));

        File.WriteAllText(path + ".bad", "nope");
        var error = Assert.Throws<System.Reflection.TargetInvocationException>(() => generated.Invoke(other, "LoadStateDict", path + ".bad"));
        Assert.Contains("not a readable PyTorch state dict", Assert.IsType<CheckpointException>(error.InnerException).Message);
    }
}
