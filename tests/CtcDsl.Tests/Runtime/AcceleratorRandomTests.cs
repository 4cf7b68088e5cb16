using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Nn;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// CUDA's random streams are reseeded per epoch from (seed, epoch) because TorchSharp cannot save a
/// CUDA generator's state (docs/gpu.md); the replay itself is checked on a GPU by CtcDsl.GpuCheck.
/// </summary>
public class AcceleratorRandomTests
{
    [Fact]
    public void Epoch_seeds_are_a_function_of_seed_and_epoch_and_never_collide_in_a_run()
    {
        Assert.Equal(AcceleratorRandom.EpochSeed(7, 3), AcceleratorRandom.EpochSeed(7, 3));
        var seeds = new HashSet<long>();
        foreach (var seed in new[] { 0, 1, 7, -1, int.MaxValue, int.MinValue })
            for (var epoch = 1; epoch <= 1000; epoch++)
            {
                var value = AcceleratorRandom.EpochSeed(seed, epoch);
                Assert.True(value >= 0, "CUDA seeds are taken as non-negative");
                Assert.True(seeds.Add(value), $"seed {seed}, epoch {epoch} repeats an earlier epoch seed");
            }
    }

    [Fact]
    public void Reseeding_for_a_cpu_model_leaves_the_cpu_generator_alone()
    {
        random.manual_seed(123);
        using var before = random.get_rng_state();
        AcceleratorRandom.SeedEpoch(CPU, seed: 5, epoch: 2);
        using var after = random.get_rng_state();
        Assert.True(before.data<byte>().ToArray().SequenceEqual(after.data<byte>().ToArray()));
    }
}
