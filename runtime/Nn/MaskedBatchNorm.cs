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

    /// <summary>Normalises <paramref name="x"/>; <paramref name="lengths"/> says which frames are real.</summary>
    public override Tensor forward(Tensor x, Tensor lengths)
    {
        using var scope = NewDisposeScope();
        Tensor mean, variance;
        if (training)
        {
            var mask = Sequences.ValidMask(lengths, x.shape[1]).unsqueeze(-1).to_type(x.dtype); // [B, T, 1]
            var count = mask.sum().clamp_min(1);
            mean = (x * mask).sum(new long[] { 0, 1 }) / count;
            variance = ((x - mean).pow(2) * mask).sum(new long[] { 0, 1 }) / count;
            using (no_grad())
            {
                var unbiased = variance * count / (count - 1).clamp_min(1);
                running_mean.mul_(1 - momentum).add_(mean.detach() * momentum);
                running_var.mul_(1 - momentum).add_(unbiased.detach() * momentum);
            }
        }
        else
        {
            mean = running_mean;
            variance = running_var;
        }
        var normalized = (x - mean) / (variance + epsilon).sqrt() * weight + bias;
        return normalized.MoveToOuterDisposeScope();
    }
}
