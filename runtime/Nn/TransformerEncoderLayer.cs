using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>The activation inside a <see cref="TransformerEncoderLayer"/>'s feed-forward network.</summary>
public enum TransformerActivation
{
    /// <summary>ReLU, PyTorch's default.</summary>
    Relu,
    /// <summary>GELU (exact, erf form).</summary>
    Gelu,
}

/// <summary>
/// One Transformer encoder layer, after PyTorch's <c>torch.nn.TransformerEncoderLayer</c>
/// (batch first), with its <c>norm_first</c> choice:
/// <code>
/// post-norm: x = norm1(x + dropout1(attn(x)));       x = norm2(x + dropout2(ff(x)))
/// pre-norm:  x = x + dropout1(attn(norm1(x)));       x = x + dropout2(ff(norm2(x)))
/// ff(x) = linear2(dropout(activation(linear1(x))))
/// </code>
/// The attention is <see cref="MultiHeadSelfAttention"/> (absolute positions, added before the
/// stack) or <see cref="RelPositionMultiHeadAttention"/> (relative positions), both masked by lengths
/// and with the layer's dropout on their probabilities, as PyTorch's layer passes its <c>dropout</c> to
/// its attention. Padding frames of the output are zero.
/// </summary>
public sealed class TransformerEncoderLayer : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly nn.Module self_attn;
    private readonly Linear linear1;
    private readonly Linear linear2;
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;
    private readonly Dropout dropout;
    private readonly Dropout dropout1;
    private readonly Dropout dropout2;
    private readonly bool normFirst;
    private readonly TransformerActivation activation;

    /// <summary>Creates the layer.</summary>
    /// <param name="size">d_model.</param>
    /// <param name="heads">Attention heads (a divisor of <paramref name="size"/>).</param>
    /// <param name="feedForwardSize">Hidden width of the feed-forward network (PyTorch's <c>dim_feedforward</c>).</param>
    /// <param name="dropout">Dropout everywhere PyTorch's layer puts it.</param>
    /// <param name="normFirst">Pre-norm (PyTorch's <c>norm_first=True</c>) or post-norm.</param>
    /// <param name="positions">Relative or absolute positions.</param>
    /// <param name="activation">The feed-forward activation.</param>
    public TransformerEncoderLayer(long size, long heads, long feedForwardSize, double dropout = 0.0, bool normFirst = true,
        PositionEncoding positions = PositionEncoding.Absolute, TransformerActivation activation = TransformerActivation.Relu)
        : base(nameof(TransformerEncoderLayer))
    {
        self_attn = positions == PositionEncoding.Relative
            ? new RelPositionMultiHeadAttention(size, heads, dropout)
            : new MultiHeadSelfAttention(size, heads, dropout);
        linear1 = nn.Linear(size, feedForwardSize);
        linear2 = nn.Linear(feedForwardSize, size);
        norm1 = nn.LayerNorm(new[] { size });
        norm2 = nn.LayerNorm(new[] { size });
        this.dropout = nn.Dropout(dropout);
        dropout1 = nn.Dropout(dropout);
        dropout2 = nn.Dropout(dropout);
        this.normFirst = normFirst;
        this.activation = activation;
        RegisterComponents();
    }

    /// <summary>
    /// Runs the layer on <paramref name="x"/> <c>[batch, time, d]</c> with valid <paramref name="lengths"/>;
    /// <paramref name="positions"/> is <see cref="RelPositionalEncoding"/>'s table for relative attention
    /// and ignored (may be null) for absolute attention.
    /// </summary>
    public override Tensor forward(Tensor x, Tensor lengths, Tensor? positions)
    {
        using var scope = NewDisposeScope();
        Tensor y;
        if (normFirst)
        {
            y = Tensors.Add(x, dropout1.call(Attend(norm1.call(x), lengths, positions)));
            y = Tensors.Add(y, dropout2.call(FeedForward(norm2.call(y))));
        }
        else
        {
            y = norm1.call(Tensors.Add(x, dropout1.call(Attend(x, lengths, positions))));
            y = norm2.call(Tensors.Add(y, dropout2.call(FeedForward(y))));
        }
        return Sequences.ClearPadding(y, lengths).MoveToOuterDisposeScope();
    }

    private Tensor Attend(Tensor x, Tensor lengths, Tensor? positions) => self_attn switch
    {
        RelPositionMultiHeadAttention relative => relative.call(x, lengths,
            positions ?? throw new ArgumentNullException(nameof(positions), "Relative attention needs RelPositionalEncoding's table.")),
        MultiHeadSelfAttention plain => plain.call(x, lengths),
        _ => throw new InvalidOperationException("Unknown attention module."),
    };

    private Tensor FeedForward(Tensor x)
    {
        using var hidden = linear1.call(x);
        using var activated = activation == TransformerActivation.Gelu ? nn.functional.gelu(hidden) : nn.functional.relu(hidden);
        using var dropped = dropout.call(activated);
        return linear2.call(dropped);
    }
}
