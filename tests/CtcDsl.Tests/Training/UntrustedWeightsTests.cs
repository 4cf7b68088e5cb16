using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using CsCheck;
using CtcDsl.Runtime.Interop;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Training;

/// <summary>
/// Weights stay finite and identified: a diverging run never commits or saves a NaN, checkpoints and
/// state dicts are parsers of untrusted bytes, and loading checks whose weights they are.
/// </summary>
public sealed class UntrustedWeightsTests : IDisposable
{
    private static readonly ToyModel.Example[] Data = Enumerable.Range(0, 8).Select(i => new ToyModel.Example(1 + 0.1 * i)).ToArray();
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-weights-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static FitOptions Options(int epochs) => new() { Epochs = epochs, BatchSize = 2, Progress = null };

    [Theory]
    [InlineData(NonFiniteLossPolicy.Stop)]
    [InlineData(NonFiniteLossPolicy.Skip)]
    public void A_diverging_learning_rate_never_reaches_the_weights_or_a_checkpoint(NonFiniteLossPolicy policy)
    {
        using var model = new ToyModel();
        // The loss of the first batches is finite; the update it gives overflows float32.
        using var sgd = optim.SGD(model.parameters(), 3e38);
        var checkpoints = new CheckpointOptions(Path.Combine(directory, policy.ToString()));
        var error = Assert.Throws<TrainingDivergedException>(() =>
            CtcTrainer.Fit(model, sgd, Data, null, Options(3) with { NonFiniteLoss = policy, Checkpoints = checkpoints }));
        Assert.Equal("weight", error.Parameter);
        Assert.Contains("lower the learning rate", error.Message);
        Assert.Contains("clip_grad_norm", error.Message);
        Assert.True(float.IsFinite((float)model.Weight), "the diverged step was undone");
        Assert.Null(WeightCheck.FirstNonFinite(model));
        Assert.False(File.Exists(checkpoints.LastPath)); // it stopped in epoch 1: nothing completed, nothing written
    }

    [Fact]
    public void A_checkpoint_is_never_written_with_non_finite_weights_and_one_that_holds_them_is_refused()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var path = Path.Combine(directory, "ok.ckpt");
        Checkpoint.Save(path, model.ModelName, model.Vocabulary, model, sgd, 1, 1, new TrainingHistory());
        using (no_grad()) model.parameters().First().fill_(float.NaN);
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Save(path, model.ModelName, model.Vocabulary, model, sgd, 2, 2, new TrainingHistory()));
        Assert.Contains("parameter 'weight' holds NaN", error.Message);
        Assert.Equal(1, Checkpoint.Load(path).Epoch); // the previous one is kept
    }

    [Fact]
    public void Weights_of_another_vocabulary_are_refused_in_every_way_of_loading()
    {
        using var model = new ToyModel("ab");
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var path = Path.Combine(directory, "ab.ckpt");
        Checkpoint.Save(path, model.ModelName, model.Vocabulary, model, sgd, 1, 1, new TrainingHistory());
        using var other = new ToyModel("ba");
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.Load(path).RestoreWeights(other, path));
        Assert.Contains("vocabulary (\"ab\", blank 2) differs from the model's (\"ba\", blank 2)", error.Message);

        var state = Path.Combine(directory, "ab.pt");
        PyTorchInterop.Save(model, state, model.Vocabulary);
        error = Assert.Throws<CheckpointException>(() => PyTorchInterop.Load(other, state, other.Vocabulary));
        Assert.Contains("vocabulary", error.Message);
        PyTorchInterop.Load(model, state, model.Vocabulary); // its own loads

        // A state dict of other parameters says what differs.
        using var linear = nn.Linear(3, 2);
        var foreign = Path.Combine(directory, "linear.pt");
        PyTorchInterop.Save(linear, foreign);
        error = Assert.Throws<CheckpointException>(() => PyTorchInterop.Load(model, foreign));
        Assert.Contains("'weight' is [2, 3], the model's is [1]", error.Message);
        Assert.Contains("unexpected 'bias'", error.Message);
    }

    [Fact]
    public void Damaged_and_crafted_checkpoints_fail_with_a_checkpoint_error()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var path = Path.Combine(directory, "good.ckpt");
        Checkpoint.Save(path, model.ModelName, model.Vocabulary, model, sgd, 1, 1, new TrainingHistory());
        var good = File.ReadAllBytes(path);

        // A crafted payload length (once an unhandled ArgumentOutOfRangeException).
        foreach (var length in new[] { long.MaxValue, long.MaxValue - 10, int.MaxValue + 1L, -1L, 0L })
        {
            var bytes = (byte[])good.Clone();
            BitConverter.GetBytes(length).CopyTo(bytes, 10);
            File.WriteAllBytes(path, bytes);
            Assert.Throws<CheckpointException>(() => Checkpoint.Load(path));
        }

        // Structure-aware mutations, with the checksum recomputed half the time so the parser behind it is reached.
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte, Gen.Int[0, 3], Gen.Bool).SampleFixed((at, value, kind, rehash) =>
        {
            var bytes = kind switch
            {
                0 => good.Select((b, i) => i == at ? value : b).ToArray(),
                1 => good[..at],
                2 => good.Take(at).Concat(new[] { value }).Concat(good.Skip(at)).ToArray(),
                _ => good.Select((b, i) => i >= at && i < at + 4 ? (byte)0xFF : b).ToArray(),
            };
            if (rehash && bytes.Length > 50)
            {
                var length = bytes.Length - 18 - 32;
                BitConverter.GetBytes((long)length).CopyTo(bytes, 10);
                SHA256.HashData(bytes.AsSpan(18, length)).CopyTo(bytes, 18 + length);
            }
            File.WriteAllBytes(path, bytes);
            using var target = new ToyModel();
            try
            {
                var checkpoint = Checkpoint.Load(path);
                checkpoint.RestoreWeights(target, path);
            }
            catch (CheckpointException e)
            {
                Assert.Contains(path, e.Message);
            }
            Assert.Null(WeightCheck.FirstNonFinite(target));
        }, iterations: 1500, seed: "0000CCCCdddd");
    }

    [Fact]
    public void Damaged_state_dicts_fail_with_a_checkpoint_error()
    {
        using var model = new ToyModel();
        var path = Path.Combine(directory, "good.pt");
        PyTorchInterop.Save(model, path);
        var good = File.ReadAllBytes(path);
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte, Gen.Int[0, 2]).SampleFixed((at, value, kind) =>
        {
            var bytes = kind switch
            {
                0 => good.Select((b, i) => i == at ? value : b).ToArray(),
                1 => good[..at],
                _ => good.Take(at).Concat(new[] { value }).Concat(good.Skip(at)).ToArray(),
            };
            var damaged = Path.Combine(directory, "damaged.pt");
            File.WriteAllBytes(damaged, bytes);
            using var target = new ToyModel();
            try
            {
                PyTorchInterop.Load(target, damaged);
            }
            catch (CheckpointException e)
            {
                Assert.Contains(damaged, e.Message);
            }
            Assert.Null(WeightCheck.FirstNonFinite(target));
        }, iterations: 1000, seed: "0000EEEEffff");
    }

    [Fact]
    public void A_checkpoint_that_cannot_be_written_stops_training_and_the_history_does_not_claim_it()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var checkpoints = new CheckpointOptions(Path.Combine(directory, "full"));
        Directory.CreateDirectory(Path.Combine(checkpoints.LastPath, "in-the-way")); // the rename onto last.ckpt fails, as on a full or broken disk
        var error = Assert.Throws<CheckpointException>(() => CtcTrainer.Fit(model, sgd, Data, null, Options(3) with { Checkpoints = checkpoints }));
        Assert.Contains("cannot write the checkpoint", error.Message);
        Assert.False(File.Exists(Path.Combine(checkpoints.Directory, "history.csv")));
        Assert.Empty(Directory.GetFiles(checkpoints.Directory, "*.tmp"));
    }

    [Fact]
    public void Stale_temporaries_of_killed_writers_are_removed_and_fresh_ones_kept()
    {
        using var model = new ToyModel();
        using var sgd = optim.SGD(model.parameters(), 0.1);
        var stale = Path.Combine(directory, ".last.ckpt.0123.tmp");
        var fresh = Path.Combine(directory, ".last.ckpt.4567.tmp");
        File.WriteAllText(stale, "partial");
        File.WriteAllText(fresh, "partial");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-2));
        Checkpoint.Save(Path.Combine(directory, "last.ckpt"), model.ModelName, model.Vocabulary, model, sgd, 1, 1, new TrainingHistory());
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(fresh)); // perhaps another writer's, still in progress

        // A training run owns its checkpoint folder: a killed run's temporaries go at once when the next one starts.
        CtcTrainer.Fit(model, sgd, Data, null, Options(1) with { Checkpoints = new CheckpointOptions(directory) });
        Assert.False(File.Exists(fresh));
        Assert.Empty(Directory.GetFiles(directory, "*.tmp"));
    }
}
