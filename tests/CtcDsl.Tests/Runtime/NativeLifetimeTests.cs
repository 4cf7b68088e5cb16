using System;
using System.Threading;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Nn;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// TorchSharp's implicit conversions to <c>Scalar</c> create a native object that only a finalizer
/// frees. Passed straight into a native call, it can be finalized while native code still reads it
/// ("Unknown scalar type", then SIGABRT). These loops run the runtime's scalar-using operations many
/// thousands of times while another thread forces collections and finalizers: with implicit scalars
/// they crash the process within seconds; with explicitly owned scalars they pass.
/// </summary>
public class NativeLifetimeTests
{
    /// <summary>Iterations per run (each one several native calls with scalar arguments), within <see cref="TimeLimit"/>.</summary>
    public const int Iterations = 20_000;

    /// <summary>Longest a loop runs; alone, 20 000 iterations take a few seconds, in the full suite fewer fit.</summary>
    private static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(15);

    /// <summary>Whether loop <paramref name="i"/> may run: under the count and the time limit (but at least a few hundred).</summary>
    private static bool Continue(int i, int count, System.Diagnostics.Stopwatch clock) => i < count && (i < 300 || clock.Elapsed < TimeLimit);

    private static void WithCollectorPressure(Action body)
    {
        using var stop = new CancellationTokenSource();
        var collector = new Thread(() =>
        {
            // Full collections (they reproduced the crash; younger ones did not). In a test host with a
            // large heap each one is slow, so the loops below are also bounded in time.
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }) { IsBackground = true };
        collector.Start();
        try
        {
            body();
        }
        finally
        {
            stop.Cancel();
            collector.Join();
        }
    }

    [Fact]
    public void Length_arithmetic_survives_forced_collections()
    {
        using var lengths = tensor(new long[] { 5, 17, 40, 1 });
        var expected = new long[] { 2, 8, 19, 0 };
        WithCollectorPressure(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; Continue(i, Iterations, clock); i++)
            {
                using var output = Sequences.ConvolvedLengths(lengths, kernel: 3, stride: 2, padding: 0, dilation: 1);
                if (i % 1000 == 0) Assert.Equal(expected, output.data<long>().ToArray());
                using var reversed = Sequences.ReverseWithinLengths(ones(4, 40, 1), lengths);
            }
        });
    }

    [Fact]
    public void Loss_and_batch_norm_survive_forced_collections()
    {
        using var norm = new MaskedBatchNorm(3);
        var loss = new CtcLoss(0, CtcReduction.LengthNormalizedMean);
        using var logits = randn(2, 6, 4);
        using var logitLengths = tensor(new long[] { 6, 4 });
        using var labels = tensor(new long[,] { { 1, 2 }, { 3, 0 } });
        using var labelLengths = tensor(new long[] { 2, 1 });
        using var frames = randn(2, 6, 3);
        WithCollectorPressure(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; Continue(i, Iterations / 4, clock); i++)
            {
                using var value = loss.Forward(logits, logitLengths, labels, labelLengths);
                Assert.True(float.IsFinite(value.item<float>()));
                using var normalized = norm.call(frames, logitLengths);
                using var weight = empty(8, 8);
                Initializers.TruncatedNormal(weight, mean: 0.1, stddev: 0.2);
                using var bias = zeros(16);
                Initializers.ForgetGateBias(bias);
            }
        });
    }

    [Fact]
    public void Optimizer_steps_survive_forced_collections()
    {
        using var layer = TorchSharp.torch.nn.Linear(8, 4);
        using var sgd = TorchSharp.torch.optim.SGD(layer.parameters(), learningRate: 0.01, momentum: 0.9, weight_decay: 0.01, nesterov: true);
        using var adam = TorchSharp.torch.optim.AdamW(layer.parameters(), lr: 0.001, weight_decay: 0.01);
        using var input = randn(16, 8);
        WithCollectorPressure(() =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; Continue(i, Iterations / 10, clock); i++)
            {
                foreach (var optimizer in new TorchSharp.torch.optim.Optimizer[] { sgd, adam })
                {
                    optimizer.zero_grad();
                    using var output = layer.call(input);
                    using var squared = output * output;
                    using var loss = squared.mean();
                    loss.backward();
                    optimizer.step();
                }
            }
            foreach (var parameter in layer.parameters()) Assert.True(parameter.isfinite().all().item<bool>());
        });
    }
}
