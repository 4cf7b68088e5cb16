using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// One Conformer block (Gulati et al. 2020), after NeMo's <c>ConformerLayer</c>
/// (nemo/collections/asr/parts/submodules/conformer_modules.py), macaron style:
/// <code>
/// r = x + ½·dropout(feed_forward1(norm_feed_forward1(x)))
/// r = r + dropout(self_attn(norm_self_att(r)))
/// r = r + dropout(conv(norm_conv(r)))
/// r = r + ½·dropout(feed_forward2(norm_feed_forward2(r)))
/// y = norm_out(r)
/// </code>
/// with relative (<see cref="RelPositionMultiHeadAttention"/>, NeMo's default) or plain
/// (<see cref="MultiHeadSelfAttention"/>) attention. Padding frames of the output are zero, so that
/// whatever the padding held (even NaN) never reaches the next block's valid frames.
/// </summary>
public sealed class ConformerBlock : nn.Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly LayerNorm norm_feed_forward1;
    private readonly ConformerFeedForward feed_forward1;
    private readonly LayerNorm norm_self_att;
    private readonly nn.Module self_attn;
    private readonly LayerNorm norm_conv;
    private readonly ConformerConvolution conv;
    private readonly LayerNorm norm_feed_forward2;
    private readonly ConformerFeedForward feed_forward2;
    private readonly LayerNorm norm_out;
    private readonly Dropout dropout;

    /// <summary>Creates the block.</summary>
    /// <param name="size">d_model.</param>
    /// <param name="heads">Attention heads (a divisor of <paramref name="size"/>).</param>
    /// <param name="feedForwardSize">Hidden width of each feed-forward module (NeMo: d_model × <c>ff_expansion_factor</c>, 4).</param>
    /// <param name="convolutionKernel">Odd depthwise kernel (NeMo: 31).</param>
    /// <param name="convolutionNorm">Norm of the convolution module.</param>
    /// <param name="dropout">Residual and feed-forward dropout (NeMo's <c>dropout</c>).</param>
    /// <param name="attentionDropout">Dropout on attention probabilities (NeMo's <c>dropout_att</c>).</param>
    /// <param name="positions">Relative (NeMo's <c>rel_pos</c>) or absolute (<c>abs_pos</c>) attention.</param>
    public ConformerBlock(long size, long heads, long feedForwardSize, long convolutionKernel = 31,
        ConvolutionNorm convolutionNorm = ConvolutionNorm.BatchNorm, double dropout = 0.0, double attentionDropout = 0.0,
        PositionEncoding positions = PositionEncoding.Relative)
        : base(nameof(ConformerBlock))
    {
        norm_feed_forward1 = nn.LayerNorm(new[] { size });
        feed_forward1 = new ConformerFeedForward(size, feedForwardSize, dropout);
        norm_self_att = nn.LayerNorm(new[] { size });
        self_attn = positions == PositionEncoding.Relative
            ? new RelPositionMultiHeadAttention(size, heads, attentionDropout)
            : new MultiHeadSelfAttention(size, heads, attentionDropout);
        norm_conv = nn.LayerNorm(new[] { size });
        conv = new ConformerConvolution(size, convolutionKernel, convolutionNorm);
        norm_feed_forward2 = nn.LayerNorm(new[] { size });
        feed_forward2 = new ConformerFeedForward(size, feedForwardSize, dropout);
        norm_out = nn.LayerNorm(new[] { size });
        this.dropout = nn.Dropout(dropout);
        RegisterComponents();
    }

    /// <summary>
    /// Runs the block on <paramref name="x"/> <c>[batch, time, d]</c> with valid <paramref name="lengths"/>;
    /// <paramref name="positions"/> is <see cref="RelPositionalEncoding"/>'s table for relative attention
    /// and ignored (may be null) for absolute attention.
    /// </summary>
    public override Tensor forward(Tensor x, Tensor lengths, Tensor? positions)
    {
        using var scope = NewDisposeScope();
        using var half = 0.5.ToScalar();
        var residual = Tensors.Add(x, dropout.call(feed_forward1.call(norm_feed_forward1.call(x))).mul(half));
        var normed = norm_self_att.call(residual);
        var attended = self_attn switch
        {
            RelPositionMultiHeadAttention relative => relative.call(normed, lengths,
                positions ?? throw new ArgumentNullException(nameof(positions), "Relative attention needs RelPositionalEncoding's table.")),
            MultiHeadSelfAttention plain => plain.call(normed, lengths),
            _ => throw new InvalidOperationException("Unknown attention module."),
        };
        residual = Tensors.Add(residual, dropout.call(attended));
        residual = Tensors.Add(residual, dropout.call(conv.call(norm_conv.call(residual), lengths)));
        residual = Tensors.Add(residual, dropout.call(feed_forward2.call(norm_feed_forward2.call(residual))).mul(half));
        return Sequences.ClearPadding(norm_out.call(residual), lengths).MoveToOuterDisposeScope();
    }
}
