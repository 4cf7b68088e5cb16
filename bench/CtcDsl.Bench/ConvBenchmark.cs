using System;
using System.Globalization;
using CtcDsl.Runtime.Nn;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 20: the runtime's conv1d (unfolded windows times the weights, on the CPU) against
/// libtorch's own (oneDNN), forward and backward on the example specs' convolutions, interleaved so
/// that machine noise falls on both alike; with each one's largest error against libtorch's float64
/// convolution, which oneDNN does not handle.
/// </summary>
internal static class ConvBenchmark
{
    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 30;
        NativeBackend.EnsureLoaded();
        Console.WriteLine($"{Environment.ProcessorCount} CPUs, {TorchThreads.Describe()}; batch 32 × 400 frames; median of {rounds} interleaved forward + backward passes.");
        Console.WriteLine($"{"conv1d",-34} {"runtime ms",11} {"libtorch ms",12} {"ratio",7} {"runtime error",14} {"libtorch error",15}");
        foreach (var (name, inputs, outputs, kernel, stride) in new[]
        {
            ("synthetic: 26→128, k5, s2", 26, 128, 5, 2),
            ("deepspeech2 conv1: 26→64, k11, s2", 26, 64, 11, 2),
            ("deepspeech2 conv2: 64→64, k11, s1", 64, 64, 11, 1),
            ("80 mel bands → 256, k3, s2", 80, 256, 3, 2),
        })
            Compare(name, inputs, outputs, kernel, stride, rounds);
    }

    private static void Compare(string name, int inputs, int outputs, int kernel, int stride, int rounds)
    {
        manual_seed(0);
        var padding = kernel / 2;
        var ours = new Conv1d(inputs, outputs, kernel, stride, padding);
        var theirs = nn.Conv1d(inputs, outputs, kernel, stride: stride, padding: padding);
        using (no_grad())
        {
            theirs.weight!.copy_(ours.weight);
            theirs.bias!.copy_(ours.bias);
        }
        var x = randn(32, 400, inputs);
        var xt = x.transpose(1, 2).contiguous();
        var ms = SuiteBenchmark.MedianInterleaved(rounds,
            () => { using var scope = NewDisposeScope(); ours.call(x).sum().backward(); },
            () => { using var scope = NewDisposeScope(); theirs.call(xt).sum().backward(); });

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var reference = nn.functional.conv1d(xt.to(float64), ours.weight.to(float64), ours.bias.to(float64), stride, padding).transpose(1, 2);
        double Error(Tensor y) => (y.to(float64) - reference).abs().nan_to_num(1e30).max().item<double>() / reference.abs().max().item<double>();
        Console.WriteLine($"{name,-34} {ms[0],11:F1} {ms[1],12:F1} {ms[0] / ms[1],7:F2} {Error(ours.call(x)),14:E1} {Error(theirs.call(xt).transpose(1, 2)),15:E1}");
    }
}
