using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// The feed-forward module of a Conformer block, after NeMo's <c>ConformerFeedForward</c>
/// (nemo/collections/asr/parts/submodules/conformer_modules.py): <c>linear1</c> (d → d_ff), Swish,
/// dropout, <c>linear2</c> (d_ff → d). Per frame, so padding cannot reach a valid frame.
/// </summary>
public sealed class ConformerFeedForward : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly Dropout dropout;

    /// <summary>Creates the module.</summary>
    public ConformerFeedForward(long size, long hiddenSize, double dropout = 0.0) : base(nameof(ConformerFeedForward))
    {
        linear1 = nn.Linear(size, hiddenSize);
        linear2 = nn.Linear(hiddenSize, size);
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary><c>[batch, time, d]</c> → the same shape.</summary>
    public override Tensor forward(Tensor x)
    {
        using var hidden = nn.functional.silu(linear1.call(x));
        using var dropped = dropout.call(hidden);
        return linear2.call(dropped);
    }
}
