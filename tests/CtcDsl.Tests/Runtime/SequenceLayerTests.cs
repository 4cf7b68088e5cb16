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
        var conv = new Conv1d(4, 2, kernel, stride: stride, padding: padding, dilation: dilation);
        var (batch, lengths) = PaddedBatch(4);
        var batched = conv.call(Sequences.ZeroPadding(batch, lengths));
        var outputLengths = Sequences.ConvolvedLengths(lengths, kernel, stride, padding, dilation).data<long>().ToArray();
        for (var b = 0; b < 3; b++)
        {
            if (Lengths[b] + 2 * padding < dilation * (kernel - 1) + 1)
            {
                // Shorter than the receptive field: no output frame (PyTorch refuses such an input alone).
                Assert.Equal(0, outputLengths[b]);
                continue;
            }
            var alone = conv.call(batch[b].narrow(0, 0, Lengths[b]).unsqueeze(0))[0];
            Assert.Equal(alone.shape[0], outputLengths[b]);
            Assert.Equal(alone.shape[0], Sequences.ConvolvedLength((int)Lengths[b], kernel, stride, padding, dilation));
            if (alone.shape[0] > 0)
                Assert.True((batched[b].narrow(0, 0, alone.shape[0]) - alone).abs().max().item<float>() < 1e-5f);
        }
    }

    /// <summary>
    /// The runtime's conv1d against libtorch's float64 convolution (which oneDNN does not handle):
    /// values and gradients, for the shapes where libtorch 2.10's float32 convolution is wrong on the
    /// CPU (input channels not a multiple of 16, kernel above 1; issue 20) and others.
    /// </summary>
    [Theory]
    [InlineData(26, 128, 5, 2, 2, 1)]
    [InlineData(26, 128, 5, 1, 2, 1)]
    [InlineData(40, 64, 3, 1, 1, 1)]
    [InlineData(161, 32, 11, 2, 5, 1)]
    [InlineData(13, 16, 3, 3, 0, 2)]
    [InlineData(32, 8, 1, 1, 0, 1)]
    public void Conv1d_equals_the_float64_reference_in_values_and_gradients(int inputs, int outputs, int kernel, int stride, int padding, int dilation)
    {
        using var scope = NewDisposeScope();
        manual_seed(0);
        var conv = new Conv1d(inputs, outputs, kernel, stride, padding, dilation);
        var x = randn(4, 57, inputs, requires_grad: true);
        var y = conv.call(x);
        var upstream = randn_like(y);
        (y * upstream).sum().backward();

        var x64 = x.detach().to(float64).requires_grad_(true);
        var w64 = conv.weight.detach().to(float64).requires_grad_(true);
        var b64 = conv.bias.detach().to(float64).requires_grad_(true);
        var y64 = nn.functional.conv1d(x64.transpose(1, 2), w64, b64, stride, padding, dilation).transpose(1, 2);
        (y64 * upstream.to(float64)).sum().backward();

        Assert.Equal(y64.shape, y.shape);
        foreach (var (name, ours, reference) in new[] { ("output", y.detach(), y64.detach()), ("input gradient", x.grad!, x64.grad!), ("weight gradient", conv.weight.grad!, w64.grad!), ("bias gradient", conv.bias.grad!, b64.grad!) })
        {
            var error = (ours.to(float64) - reference).abs().max().item<double>() / Math.Max(1e-9, reference.abs().max().item<double>());
            Assert.True(error < 1e-5, $"{name}: relative error {error:E2}");
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
