using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Weight initialisers with Keras' meaning, applied to TorchSharp parameters in place (without
/// recording gradients). TorchSharp stores a dense kernel as <c>[out, in]</c> where Keras stores
/// <c>[in, out]</c>; fan-in and fan-out are the same either way, so the distributions match.
/// </summary>
public static class Initializers
{
    /// <summary>Glorot (Xavier) uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).</summary>
    public static void GlorotUniform(Tensor weight)
    {
        using var _ = no_grad();
        nn.init.xavier_uniform_(weight);
    }

    /// <summary>A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, as Keras' <c>Orthogonal</c>.</summary>
    public static void Orthogonal(Tensor weight, double gain = 1.0)
    {
        using var _ = no_grad();
        nn.init.orthogonal_(weight, gain);
    }

    /// <summary>
    /// Normal(mean, stddev) conditioned on lying within two standard deviations, as Keras'
    /// <c>TruncatedNormal</c>. Sampled by inverting the normal CDF on the truncated range (PyTorch's
    /// method). TorchSharp 0.107's own <c>nn.init.trunc_normal_</c> is not used: it fills the tensor with
    /// the value of <c>std</c>.
    /// </summary>
    public static void TruncatedNormal(Tensor weight, double mean, double stddev)
    {
        if (!(stddev > 0)) throw new ArgumentOutOfRangeException(nameof(stddev), stddev, "The standard deviation must be positive.");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        // Φ(±2) through erf, so the bounds follow the same arithmetic as the sampling.
        var lower = NormalCdf(-2.0);
        var upper = NormalCdf(2.0);
        weight.uniform_(2 * lower - 1, 2 * upper - 1);
        weight.erfinv_();
        // Owned scalars, not implicit conversions (see Sequences.ConvolvedLengths).
        using var scale = (stddev * Math.Sqrt(2.0)).ToScalar();
        using var shift = mean.ToScalar();
        using var one = 1.ToScalar();
        using var low = (mean - 2 * stddev).ToScalar();
        using var high = (mean + 2 * stddev).ToScalar();
        weight.mul_(scale);
        weight.add_(shift, one);
        weight.clamp_(low, high);
    }

    private static double NormalCdf(double x)
    {
        using var value = tensor(x / Math.Sqrt(2.0), ScalarType.Float64);
        using var erf = special.erf(value);
        return (1 + erf.item<double>()) / 2;
    }

    /// <summary>Uniform(low, high).</summary>
    public static void Uniform(Tensor weight, double low, double high)
    {
        using var _ = no_grad();
        nn.init.uniform_(weight, low, high);
    }

    /// <summary>All zeros.</summary>
    public static void Zeros(Tensor weight)
    {
        using var _ = no_grad();
        nn.init.zeros_(weight);
    }

    /// <summary>
    /// Keras' <c>unit_forget_bias</c> for a PyTorch-layout LSTM bias (gates i, f, g, o): sets the forget
    /// gate's quarter to <paramref name="value"/>. Apply it to one of the two biases (Keras has one).
    /// </summary>
    public static void ForgetGateBias(Tensor lstmBias, double value = 1.0)
    {
        var hidden = lstmBias.shape[0] / 4;
        if (hidden * 4 != lstmBias.shape[0])
            throw new ArgumentException($"An LSTM bias has 4 × hidden entries; got {lstmBias.shape[0]}.", nameof(lstmBias));
        using var _ = no_grad();
        using var fill = value.ToScalar();
        using var forget = lstmBias.narrow(0, hidden, hidden);
        forget.fill_(fill);
    }

    /// <summary>
    /// Re-draws every parameter of <paramref name="module"/> and its children the way PyTorch's
    /// constructors draw them, which is what the runtime's attention, Conformer and subsampling modules
    /// draw when created (NeMo keeps these defaults): a weight of two or more dimensions uniform in
    /// ±1/√fan_in (<c>kaiming_uniform_(a=√5)</c>), its bias in the same bound; a one-dimensional weight
    /// (a norm's scale) ones, its bias and any other parameter (relative attention's position biases)
    /// zeros. Batch-norm running statistics start over; other buffers (position tables) are kept.
    /// </summary>
    public static void PyTorchDefaults(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var child in new[] { module }.Concat(module.named_modules().Select(m => m.module)).Distinct())
        {
            var parameters = child.named_parameters(recurse: false).ToList();
            var weight = parameters.FirstOrDefault(p => p.name == "weight").parameter;
            var bound = weight is not null && weight.dim() >= 2 ? 1 / Math.Sqrt(FanIn(weight)) : (double?)null;
            foreach (var (name, parameter) in parameters)
            {
                if (name == "weight" && bound is double w) nn.init.uniform_(parameter, -w, w);
                else if (name == "bias" && bound is double b) nn.init.uniform_(parameter, -b, b);
                else if (name == "weight") nn.init.ones_(parameter);
                else nn.init.zeros_(parameter);
            }
            foreach (var (name, buffer) in child.named_buffers(recurse: false))
            {
                if (name is "running_mean" or "num_batches_tracked") buffer.zero_();
                else if (name == "running_var") nn.init.ones_(buffer);
            }
        }
    }

    /// <summary>Inputs per output of a weight <c>[out, in, kernel…]</c>, as PyTorch's <c>_calculate_fan_in_and_fan_out</c>.</summary>
    private static long FanIn(Tensor weight)
    {
        var fanIn = weight.shape[1];
        for (var i = 2; i < weight.dim(); i++) fanIn *= weight.shape[i];
        return fanIn;
    }

    /// <summary>The parameter called <paramref name="name"/> of <paramref name="module"/>, or a clear error naming what exists.</summary>
    public static Parameter Parameter(nn.Module module, string name) =>
        module.get_parameter(name) ?? throw new ArgumentException($"{module.GetName()} has no parameter '{name}'.", nameof(name));
}
