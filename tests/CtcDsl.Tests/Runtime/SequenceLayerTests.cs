using System;
using System.Linq;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>Length-aware layers give each sequence of a padded batch exactly what it would get alone.</summary>
public class SequenceLayerTests
{
    private static readonly long[] Lengths = { 7, 3, 5 };

    /// <summary>A padded batch of random sequences whose padding holds large garbage values.</summary>
    private static (Tensor Batch, Tensor Lengths) PaddedBatch(int features)
    {
        var batch = randn(3, 7, features) ;
        for (var b = 0; b < 3; b++)
            if (Lengths[b] < 7) batch[b].narrow(0, Lengths[b], 7 - Lengths[b]).fill_(1000);
        return (batch, tensor(Lengths));
    }

    [Fact]
    public void Reverse_within_lengths_keeps_padding_in_place_and_is_an_involution()
    {
        using var scope = NewDisposeScope();
        var x = arange(12, dtype: ScalarType.Float32).reshape(2, 6, 1);
        var lengths = tensor(new long[] { 6, 4 });
        var reversed = Sequences.ReverseWithinLengths(x, lengths);
        Assert.Equal(new float[] { 5, 4, 3, 2, 1, 0, 9, 8, 7, 6, 10, 11 }, reversed.data<float>().ToArray());
        Assert.Equal(x.data<float>().ToArray(), Sequences.ReverseWithinLengths(reversed, lengths).data<float>().ToArray());
    }

    [Theory]
    [InlineData(11, 2, 5, 1)]
    [InlineData(3, 1, 0, 1)]
    [InlineData(3, 3, 1, 2)]
    [InlineData(5, 2, 0, 1)]
    public void Convolved_lengths_match_the_convolution_of_each_sequence_alone(int kernel, int stride, int padding, int dilation)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var conv = nn.Conv1d(4, 2, kernel, stride: stride, padding: padding, dilation: dilation);
        var (batch, lengths) = PaddedBatch(4);
        var batched = conv.call(Sequences.ZeroPadding(batch, lengths).transpose(1, 2)).transpose(1, 2);
        var outputLengths = Sequences.ConvolvedLengths(lengths, kernel, stride, padding, dilation).data<long>().ToArray();
        for (var b = 0; b < 3; b++)
        {
            if (Lengths[b] + 2 * padding < dilation * (kernel - 1) + 1)
            {
                // Shorter than the receptive field: no output frame (PyTorch refuses such an input alone).
                Assert.Equal(0, outputLengths[b]);
                continue;
            }
            var alone = conv.call(batch[b].narrow(0, 0, Lengths[b]).unsqueeze(0).transpose(1, 2)).transpose(1, 2)[0];
            Assert.Equal(alone.shape[0], outputLengths[b]);
            Assert.Equal(alone.shape[0], Sequences.ConvolvedLength((int)Lengths[b], kernel, stride, padding, dilation));
            if (alone.shape[0] > 0)
                Assert.True((batched[b].narrow(0, 0, alone.shape[0]) - alone).abs().max().item<float>() < 1e-5f);
        }
    }

    [Theory]
    [InlineData(RnnKind.Lstm)]
    [InlineData(RnnKind.Gru)]
    public void Bidirectional_rnn_on_a_padded_batch_equals_each_sequence_alone(RnnKind kind)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var rnn = new BidirectionalRnn(kind, 4, 5, layers: 2);
        var (batch, lengths) = PaddedBatch(4);
        var batched = rnn.call(batch, lengths);
        Assert.Equal(new long[] { 3, 7, 10 }, batched.shape);
        for (var b = 0; b < 3; b++)
        {
            var alone = rnn.call(batch[b].narrow(0, 0, Lengths[b]).unsqueeze(0), tensor(new[] { Lengths[b] }))[0];
            var difference = (batched[b].narrow(0, 0, Lengths[b]) - alone).abs().max().item<float>();
            Assert.True(difference < 1e-5f, $"sequence {b}: {difference}");
        }
        Assert.Equal(4, rnn.Directions.Count());
    }

    [Fact]
    public void Masked_batch_norm_ignores_padding_in_its_statistics()
    {
        using var scope = NewDisposeScope();
        var norm = new MaskedBatchNorm(4);
        var (batch, lengths) = PaddedBatch(4);
        var output = norm.call(batch, lengths);

        var valid = cat(Enumerable.Range(0, 3).Select(b => batch[b].narrow(0, 0, Lengths[b])).ToArray(), 0); // [15, 4]
        var expected = (valid - valid.mean(new long[] { 0 })) / (valid.var(0, unbiased: false) + 1e-5).sqrt();
        var actual = cat(Enumerable.Range(0, 3).Select(b => output[b].narrow(0, 0, Lengths[b])).ToArray(), 0);
        Assert.True((expected - actual).abs().max().item<float>() < 1e-4f);

        // Running statistics moved towards the valid frames' mean, not towards the padding's 1000s.
        norm.eval();
        var running = norm.call(batch, lengths)[0][0];
        Assert.True(running.abs().max().item<float>() < 100);
    }
}
