using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>Device selection.</summary>
public static class Devices
{
    /// <summary>The first CUDA device when TorchSharp's CUDA backend is present and sees a GPU, else the CPU.</summary>
    public static Device Default => cuda.is_available() ? CUDA : CPU;

    /// <summary>Parses "cpu", "cuda" or "cuda:N"; null or "auto" gives <see cref="Default"/>.</summary>
    public static Device Parse(string? name) =>
        name is null || name == "auto" ? Default : new Device(name);
}
