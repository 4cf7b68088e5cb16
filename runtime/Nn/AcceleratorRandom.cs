using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// The random streams of an accelerator (CUDA's dropout masks, augmentation drawn on the GPU),
/// made a function of the seed and the epoch. TorchSharp 0.107's <c>Generator</c> reaches only the
/// CPU generator, so a CUDA generator's state cannot be saved in a checkpoint; instead the trainer
/// reseeds CUDA at the start of every epoch from (seed, epoch), the rule
/// <see cref="Data.EpochRandom"/> follows for example order, and a run resumed after epoch
/// <c>k</c> draws in epoch <c>k+1</c> exactly what the uninterrupted run drew. On the CPU nothing
/// changes: its generator's state is in the checkpoint.
/// </summary>
public static class AcceleratorRandom
{
    /// <summary>Reseeds every CUDA device when <paramref name="device"/> is a CUDA device; otherwise does nothing.</summary>
    public static void SeedEpoch(Device device, int seed, int epoch)
    {
        if (device.type != DeviceType.CUDA) return;
        cuda.manual_seed_all(EpochSeed(seed, epoch));
    }

    /// <summary>The CUDA seed of <paramref name="epoch"/>: a fixed 64-bit mix (splitmix64) of the seed and the epoch.</summary>
    public static long EpochSeed(int seed, int epoch)
    {
        unchecked
        {
            var z = ((ulong)(uint)seed << 32 | (uint)epoch) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) & long.MaxValue);
        }
    }
}
