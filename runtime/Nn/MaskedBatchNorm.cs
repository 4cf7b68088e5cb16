using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Batch normalisation over the feature axis of <c>[batch, time, features]</c> whose statistics use
/// valid frames only: padding changes neither the normalisation of real frames nor the running
/// statistics. Running mean and (unbiased) variance follow PyTorch's momentum convention.
/// </summary>
public sealed class MaskedBatchNorm : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;
    private readonly double epsilon;
    private readonly double momentum;

    /// <summary>Creates the layer for <paramref name="features"/> channels.</summary>
    public MaskedBatchNorm(long features, double epsilon = 1e-5, double momentum = 0.1) : base(nameof(MaskedBatchNorm))
    {
        weight = new Parameter(ones(features));
        bias = new Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        this.epsilon = epsilon;
        this.momentum = momentum;
        RegisterComponents();
    }

    // What inference uses, for the ONNX exporter.
    internal Tensor RunningMean => running_mean;

    internal Tensor RunningVariance => running_var;

    internal Tensor Weight => weight;

    internal Tensor Bias => bias;

    internal double Epsilon => epsilon;

    /// <summary>Normalises <paramref name="x"/>; <paramref name="lengths"/> says which frames are real.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        // Every scalar is owned and disposed at the end, never an implicit conversion (see Sequences.ConvolvedLengths).
        using var one = 1.ToScalar();
        using var two = 2.ToScalar();
        using var keep = (1 - momentum).ToScalar();
        using var rate = momentum.ToScalar();
        using var eps = epsilon.ToScalar();
        Tensor mean, variance;
        if (training)
        {
            var mask = Sequences.ValidMask(lengths, x.shape[1]).unsqueeze(-1).to_type(x.dtype); // [B, T, 1]
            var count = mask.sum().clamp_min(one);
            mean = (x * mask).sum(new long[] { 0, 1 }) / count;
            variance = ((x - mean).pow(two) * mask).sum(new long[] { 0, 1 }) / count;
            using (no_grad())
            {
                var unbiased = variance * count / count.sub(one).clamp_min(one);
                Tensors.AddInPlace(running_mean.mul_(keep), mean.detach().mul(rate));
                Tensors.AddInPlace(running_var.mul_(keep), unbiased.detach().mul(rate));
            }
        }
        else
        {
            mean = running_mean;
            variance = running_var;
        }
        var normalized = Tensors.Add((x - mean) / variance.add(eps, one).sqrt() * weight, bias);
        return normalized.MoveToOuterDisposeScope();
    }
}
