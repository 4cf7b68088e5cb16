using System;
using System.Linq;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// The encoder layers of issue 24 give each sequence of a padded batch what it gets alone (≤ 1e-5),
/// whatever the padding holds, and the subsampling's output lengths are those of each sequence's own
/// convolution arithmetic.
/// </summary>
public class EncoderLayerPaddingTests
{
    private static readonly long[] Lengths = { 23, 9, 16, 1 };

    /// <summary>A padded batch <c>[4, 23, features]</c> whose padding holds <paramref name="fill"/>.</summary>
    private static (Tensor Batch, Tensor Lengths) PaddedBatch(long features, double fill)
    {
        var time = Lengths.Max();
        var batch = randn(Lengths.Length, time, features);
        for (var b = 0; b < Lengths.Length; b++)
            if (Lengths[b] < time) batch[b].narrow(0, Lengths[b], time - Lengths[b]).fill_(fill);
        return (batch, tensor(Lengths));
    }

    /// <summary>Runs <paramref name="run"/> on the padded batch and on each sequence alone; returns the largest difference over valid output frames.</summary>
    private static float LargestDifference(Func<Tensor, Tensor, Tensor> run, Func<Tensor, Tensor> outputLengths, long features, double fill)
    {
        var (batch, lengths) = PaddedBatch(features, fill);
        var batched = run(batch, lengths);
        var valid = outputLengths(lengths).data<long>().ToArray();
        var largest = 0f;
        for (var b = 0; b < Lengths.Length; b++)
        {
            var aloneLengths = tensor(new[] { Lengths[b] });
            var alone = run(batch[b].narrow(0, 0, Lengths[b]).unsqueeze(0), aloneLengths)[0];
            Assert.Equal(alone.shape[0], valid[b]);
            if (valid[b] == 0) continue;
            var difference = (batched[b].narrow(0, 0, valid[b]) - alone).abs().max().item<float>();
            Assert.False(float.IsNaN(difference), $"sequence {b}: NaN");
            largest = Math.Max(largest, difference);
        }
        return largest;
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 3)]
    [InlineData(8, 3)]
    [InlineData(4, 5)]
    public void Conv2d_subsampling_on_a_padded_batch_equals_each_sequence_alone(int factor, int kernel)
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var subsampling = new Conv2dSubsampling(20, 16, factor, channels: 8, kernel: kernel);
        foreach (var fill in new[] { 1000.0, double.NaN })
        {
            var difference = LargestDifference((x, l) => subsampling.call(x, l), subsampling.OutputLengths, 20, fill);
            Assert.True(difference < 1e-5f, $"×{factor}, padding {fill}: {difference}");
        }
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(4, 3)]
    [InlineData(8, 3)]
    [InlineData(4, 5)]
    public void Conv2d_subsampling_lengths_follow_the_convolution_arithmetic(int factor, int kernel)
    {
        using var scope = NewDisposeScope();
        var subsampling = new Conv2dSubsampling(20, 16, factor, channels: 4, kernel: kernel);
        foreach (var length in new[] { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 100, 101 })
        {
            // The padded tensor's width for a sequence of this length alone is the reference.
            var expected = length == 0 ? 0 : subsampling.call(randn(1, length, 20), tensor(new long[] { length })).shape[1];
            Assert.Equal(expected, subsampling.OutputLengths(tensor(new long[] { length })).item<long>());
            Assert.Equal(expected, Conv2dSubsampling.OutputLength(length, subsampling.Layers, kernel));
        }
        // The NeMo formula for kernel 3 (padding 1, stride 2): each layer gives ⌊(L − 1) / 2⌋ + 1.
        Assert.Equal(26, Conv2dSubsampling.OutputLength(101, 2, 3));
    }

    [Fact]
    public void Self_attention_on_a_padded_batch_equals_each_sequence_alone()
    {
        using var scope = NewDisposeScope();
        manual_seed(2);
        var plain = new MultiHeadSelfAttention(16, 4);
        var encoding = new RelPositionalEncoding(16);
        var relative = new RelPositionMultiHeadAttention(16, 4);
        using (no_grad())
        using (var spread = 0.5.ToScalar())
            foreach (var (_, parameter) in relative.named_parameters()) global::CtcDsl.Runtime.Nn.Tensors.AddInPlace(parameter, randn_like(parameter).mul(spread));
        Func<Tensor, Tensor> same = l => l;
        Assert.True(LargestDifference((x, l) => plain.call(x, l), same, 16, 1000) < 1e-5f);
        Assert.True(LargestDifference((x, l) =>
        {
            var (scaled, positions) = encoding.call(x);
            return relative.call(scaled, l, positions);
        }, same, 16, 1000) < 1e-5f);
    }

    [Theory]
    [InlineData(ConvolutionNorm.BatchNorm, PositionEncoding.Relative)]
    [InlineData(ConvolutionNorm.LayerNorm, PositionEncoding.Relative)]
    [InlineData(ConvolutionNorm.BatchNorm, PositionEncoding.Absolute)]
    public void Conformer_on_a_padded_batch_equals_each_sequence_alone(ConvolutionNorm norm, PositionEncoding positions)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var encoder = new ConformerEncoder(20, 16, heads: 4, blocks: 2, feedForwardSize: 64, convolutionKernel: 7, norm,
            dropout: 0.1, attentionDropout: 0.1, inputDropout: 0.1, positions: positions);
        // A few training steps' worth of running statistics, from a batch with garbage padding, which they must ignore.
        var (warm, warmLengths) = PaddedBatch(20, 1000);
        for (var i = 0; i < 3; i++) encoder.call(warm, warmLengths);
        encoder.eval(); // batch statistics differ with the batch by design; evaluation uses the running ones
        foreach (var fill in new[] { 1000.0, double.NaN, double.PositiveInfinity })
        {
            var difference = LargestDifference((x, l) => encoder.call(x, l), l => l, 20, fill);
            Assert.True(difference < 1e-5f, $"padding {fill}: {difference}");
        }
    }

    [Fact]
    public void Conformer_with_layer_norm_in_training_mode_without_dropout_equals_each_sequence_alone()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        var encoder = new ConformerEncoder(20, 16, heads: 2, blocks: 2, feedForwardSize: 32, convolutionKernel: 5, ConvolutionNorm.LayerNorm);
        encoder.train();
        Assert.True(LargestDifference((x, l) => encoder.call(x, l), l => l, 20, double.NaN) < 1e-5f);
    }

    [Theory]
    [InlineData(true, PositionEncoding.Absolute)]
    [InlineData(false, PositionEncoding.Absolute)]
    [InlineData(true, PositionEncoding.Relative)]
    [InlineData(false, PositionEncoding.Relative)]
    public void Transformer_on_a_padded_batch_equals_each_sequence_alone(bool normFirst, PositionEncoding positions)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var encoder = new TransformerEncoder(20, 16, 4, 2, 32, dropout: 0.1, normFirst, positions);
        encoder.eval();
        foreach (var fill in new[] { 1000.0, double.NaN })
        {
            var difference = LargestDifference((x, l) => encoder.call(x, l), l => l, 20, fill);
            Assert.True(difference < 1e-5f, $"padding {fill}: {difference}");
        }
    }

    [Fact]
    public void Rel_shift_puts_distance_i_minus_j_at_query_i_key_j()
    {
        using var scope = NewDisposeScope();
        const long time = 5;
        // Slot s of the table holds distance time − 1 − s; after the shift, (i, j) must hold i − j.
        var distances = arange(time - 1, -time, -1L, dtype: ScalarType.Float32);
        var bySlot = distances.expand(1, 1, time, 2 * time - 1).contiguous();
        var shifted = RelPositionMultiHeadAttention.RelShift(bySlot).narrow(-1, 0, time)[0][0];
        var expected = arange(time, dtype: ScalarType.Float32).unsqueeze(1) - arange(time, dtype: ScalarType.Float32).unsqueeze(0);
        Assert.Equal(expected.data<float>().ToArray(), shifted.contiguous().data<float>().ToArray());
    }

    [Fact]
    public void Modules_move_to_another_dtype_with_their_parameters()
    {
        using var scope = NewDisposeScope();
        var encoder = new ConformerEncoder(20, 16, heads: 4, blocks: 1, feedForwardSize: 32, convolutionKernel: 5);
        var subsampling = new Conv2dSubsampling(20, 20, 4, channels: 4);
        subsampling.to(float64);
        encoder.to(float64);
        Assert.All(subsampling.parameters().Concat(encoder.parameters()), p => Assert.Equal(ScalarType.Float64, p.dtype));
        var x = randn(2, 12, 20, dtype: float64);
        var lengths = tensor(new long[] { 12, 7 });
        var y = encoder.call(subsampling.call(x, lengths), subsampling.OutputLengths(lengths));
        Assert.Equal(ScalarType.Float64, y.dtype);
    }
}
