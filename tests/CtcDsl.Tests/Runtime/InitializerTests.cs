using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Nn;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

public class InitializerTests
{
    [Fact]
    public void Truncated_normal_stays_within_two_deviations_with_the_truncated_spread()
    {
        manual_seed(0);
        using var w = empty(200, 100);
        Initializers.TruncatedNormal(w, mean: 0.5, stddev: 0.1);
        var values = w.data<float>().ToArray();
        Assert.All(values, v => Assert.InRange(v, 0.3f - 1e-6f, 0.7f + 1e-6f));
        Assert.Equal(0.5, values.Average(), 2);
        // A normal truncated at ±2σ has standard deviation 0.8796σ.
        var std = Math.Sqrt(values.Select(v => (v - 0.5) * (v - 0.5)).Average());
        Assert.Equal(0.08796, std, 3);
        Assert.True(values.Distinct().Count() > 19000, "values must be random, not constant");
    }

    [Fact]
    public void Glorot_uniform_uses_fan_in_plus_fan_out()
    {
        manual_seed(0);
        using var w = empty(200, 13); // an LSTM input kernel: 4×50 outputs, 13 inputs
        Initializers.GlorotUniform(w);
        var limit = Math.Sqrt(6.0 / (200 + 13));
        var values = w.data<float>().ToArray();
        Assert.All(values, v => Assert.InRange(v, -limit, limit));
        Assert.True(values.Max() > 0.9 * limit && values.Min() < -0.9 * limit);
    }

    [Fact]
    public void Orthogonal_has_orthonormal_columns()
    {
        manual_seed(0);
        using var w = empty(200, 50); // an LSTM recurrent kernel
        Initializers.Orthogonal(w);
        using var gram = w.t().matmul(w);
        using var identity = eye(50);
        Assert.True((gram - identity).abs().max().item<float>() < 1e-4f);
    }

    [Fact]
    public void Forget_gate_bias_sets_only_the_second_quarter()
    {
        using var bias = zeros(200);
        Initializers.ForgetGateBias(bias);
        var values = bias.data<float>().ToArray();
        Assert.All(values.Take(50), v => Assert.Equal(0f, v));
        Assert.All(values.Skip(50).Take(50), v => Assert.Equal(1f, v));
        Assert.All(values.Skip(100), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => Initializers.ForgetGateBias(zeros(7)));
    }

    [Fact]
    public void PyTorch_defaults_redraw_every_parameter_of_a_conformer_as_its_constructor_does()
    {
        manual_seed(3);
        using var encoder = new ConformerEncoder(26, 32, heads: 4, blocks: 2, feedForwardSize: 64, convolutionKernel: 5);
        using var subsampling = new Conv2dSubsampling(26, 32, factor: 4, channels: 8);
        var created = Snapshot(encoder).Concat(Snapshot(subsampling)).ToArray();
        using (no_grad())
            foreach (var p in encoder.parameters().Concat(subsampling.parameters())) p.fill_(7);

        Initializers.PyTorchDefaults(encoder);
        Initializers.PyTorchDefaults(subsampling);

        var redrawn = Snapshot(encoder).Concat(Snapshot(subsampling)).ToArray();
        Assert.Equal(created.Select(p => p.Name), redrawn.Select(p => p.Name));
        var shapes = encoder.named_parameters().Concat(subsampling.named_parameters()).ToDictionary(p => p.name, p => p.parameter.shape);
        foreach (var (before, after) in created.Zip(redrawn))
        {
            var owner = before.Name.Contains('.') ? before.Name[..before.Name.LastIndexOf('.')] + "." : "";
            var weight = shapes.GetValueOrDefault(owner + "weight");
            if (weight is { Length: >= 2 } && (before.Name == owner + "weight" || before.Name == owner + "bias"))
            {
                // PyTorch's kaiming_uniform_(a=√5) for a weight, the same bound for its bias: ±1/√fan_in.
                var bound = 1 / Math.Sqrt(weight.Skip(1).Aggregate(1L, (a, b) => a * b));
                Assert.All(before.Values.Concat(after.Values), v => Assert.InRange(Math.Abs(v), 0, bound * 1.000001));
                Assert.True(after.Values.Distinct().Count() > after.Values.Length / 2, $"{after.Name} was not redrawn");
                Assert.NotEqual(before.Values, after.Values);
            }
            else
            {
                // Constants (norm scales and shifts, relative attention's position biases) come back exactly.
                Assert.Single(before.Values.Distinct());
                Assert.Equal(before.Values, after.Values);
            }
        }
        Assert.Contains(redrawn, p => p.Name.EndsWith("pos_bias_u", StringComparison.Ordinal) && p.Values.All(v => v == 0));
    }

    private static (string Name, float[] Values)[] Snapshot(TorchSharp.torch.nn.Module module) =>
        module.named_parameters().Select(p => (p.name, p.parameter.data<float>().ToArray())).ToArray();
}
