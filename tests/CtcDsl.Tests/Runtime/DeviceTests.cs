using System;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

public sealed class DeviceTests
{
    [Fact]
    public void Cpu_and_auto_parse()
    {
        Assert.Equal(DeviceType.CPU, Devices.Parse("cpu").type);
        Assert.Equal(Devices.Default.type, Devices.Parse("auto").type);
        Assert.Equal(Devices.Default.type, Devices.Parse(null).type);
    }

    [SkippableFact]
    public void Cuda_without_cuda_is_one_line_that_says_so()
    {
        Skip.If(cuda.is_available(), "this machine has CUDA");
        var error = Assert.Throws<ArgumentException>(() => Devices.Parse("cuda"));
        Assert.StartsWith("device cuda: no CUDA device is available to this process", error.Message);
        Assert.DoesNotContain("\n", error.Message);
        Assert.DoesNotContain("Parameter", error.Message);
    }

    [Fact]
    public void A_name_that_is_no_device_is_refused_by_name()
    {
        var error = Assert.Throws<ArgumentException>(() => Devices.Parse("gpu"));
        Assert.Equal("'gpu' is not a device: use cpu, cuda, cuda:N or auto.", error.Message);
    }
}
