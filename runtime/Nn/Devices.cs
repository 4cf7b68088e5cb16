using System;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>Device selection.</summary>
public static class Devices
{
    /// <summary>The first CUDA device when TorchSharp's CUDA backend is present and sees a GPU, else the CPU.</summary>
    public static Device Default => cuda.is_available() ? CUDA : CPU;

    /// <summary>Parses "cpu", "cuda" or "cuda:N"; null or "auto" gives <see cref="Default"/>.</summary>
    /// <exception cref="ArgumentException">
    /// The name is not a device, or it asks for CUDA where none is available (a libtorch built for the CPU,
    /// no driver, no GPU): one line that says so, instead of libtorch's stack trace at the first tensor.
    /// </exception>
    public static Device Parse(string? name)
    {
        if (name is null || name == "auto") return Default;
        Device device;
        try
        {
            device = new Device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ArgumentException($"'{name}' is not a device: use cpu, cuda, cuda:N or auto.", e);
        }
        if (device.type == DeviceType.CUDA)
        {
            if (!cuda.is_available())
                throw new ArgumentException($"device {name}: no CUDA device is available to this process (libtorch here is the CPU build, or no GPU or driver is visible); use cpu or auto. See docs/gpu.md for CUDA.");
            if (device.index >= cuda.device_count())
                throw new ArgumentException($"device {name}: this machine has {cuda.device_count()} CUDA device(s) (cuda:0 to cuda:{cuda.device_count() - 1}).");
        }
        return device;
    }
}
