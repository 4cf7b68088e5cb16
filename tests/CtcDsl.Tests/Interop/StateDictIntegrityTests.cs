using System;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Training;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Interop;

/// <summary>Issue 23: a <c>.pt</c> state dict is checked like a checkpoint, on the way in and on the way out.</summary>
public sealed class StateDictIntegrityTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-statedict-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static float[] Weights(Ldc93s1Model model) =>
        model.parameters().SelectMany(p => p.detach().cpu().contiguous().data<float>().ToArray()).ToArray();

    [Fact]
    public void No_single_byte_flip_loads_as_changed_weights()
    {
        manual_seed(5);
        using var model = new Ldc93s1Model(CPU);
        var path = Path.Combine(directory, "model.pt");
        model.SaveStateDict(path);
        var original = File.ReadAllBytes(path);
        var weights = Weights(model);

        // Positions spread over the whole file (zip headers, the pickle, the tensor bytes), fixed seed.
        var random = new Random(23);
        int refused = 0, unchanged = 0;
        for (var i = 0; i < 60; i++)
        {
            var damaged = (byte[])original.Clone();
            var position = random.Next(damaged.Length);
            damaged[position] ^= (byte)random.Next(1, 256);
            var file = Path.Combine(directory, $"flip{i}.pt");
            File.WriteAllBytes(file, damaged);
            using var loaded = new Ldc93s1Model(CPU);
            try
            {
                loaded.LoadStateDict(file);
            }
            catch (CheckpointException e)
            {
                Assert.Contains(file, e.Message);
                refused++;
                continue;
            }
            // A byte no check covers (a name field of a zip header, say) may load: then nothing changed.
            Assert.True(weights.SequenceEqual(Weights(loaded)), $"byte {position} of {original.Length} flipped: the state dict loaded with changed weights");
            unchanged++;
        }
        Assert.True(refused >= 50, $"{refused} of 60 flips refused, {unchanged} loaded unchanged");
    }

    [Fact]
    public void A_damaged_tensor_entry_is_named()
    {
        manual_seed(5);
        using var model = new Ldc93s1Model(CPU);
        var path = Path.Combine(directory, "model.pt");
        model.SaveStateDict(path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01; // the tensor data fills the middle of the archive
        File.WriteAllBytes(path, bytes);
        using var loaded = new Ldc93s1Model(CPU);
        var error = Assert.Throws<CheckpointException>(() => loaded.LoadStateDict(path));
        Assert.Contains("is damaged (its CRC-32 is", error.Message);
    }

    [Fact]
    public void A_failed_write_is_a_checkpoint_error_and_keeps_the_earlier_file()
    {
        manual_seed(5);
        using var model = new Ldc93s1Model(CPU);
        var path = Path.Combine(directory, "model.pt");
        model.SaveStateDict(path);
        var before = File.ReadAllBytes(path);

        // The temporary cannot be created: a folder stands where it would go.
        Directory.CreateDirectory(path + ".tmp");
        manual_seed(6);
        using var other = new Ldc93s1Model(CPU);
        var error = Assert.Throws<CheckpointException>(() => other.SaveStateDict(path));
        Assert.Contains("could not be written", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));

        // Into a folder that does not exist: refused, and no temporary anywhere.
        var missing = Path.Combine(directory, "no-such-folder", "model.pt");
        Assert.Throws<CheckpointException>(() => model.SaveStateDict(missing));
        Assert.False(File.Exists(missing + ".tmp"));
    }
}
