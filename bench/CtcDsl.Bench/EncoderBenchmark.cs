using System;
using System.Globalization;
using System.Linq;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// Issue 24: milliseconds per training step (forward, CTC loss, backward, Adam) of a Conformer-CTC —
/// NeMo Conformer-CTC small's shape scaled for a CPU: ×4 conv2d subsampling, d_model 144, 4 heads,
/// 4 blocks, feed-forward 576, depthwise kernel 31, batch norm — against the BiGRU of
/// <c>specs/bigru.ctc.yaml</c> (2 × bidirectional GRU(96)), on the same random batch shaped like the
/// built-in synthetic speech (26 features, 16 utterances of up to 300 frames, 28 characters + blank).
/// The two run interleaved so that the machine's noise falls on both; the figure is the median.
/// Both are wired here from the runtime modules the generator will emit; the spec kinds come later.
/// </summary>
internal static class EncoderBenchmark
{
    private const int Features = 26;
    private const int Classes = 29;

    public static void Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        NativeBackend.EnsureLoaded();
        manual_seed(0);
        var conformer = new ConformerCtc();
        var bigru = new BiGruCtc();
        var lengths = tensor(Enumerable.Range(0, 16).Select(i => 300L - 9 * i).ToArray());
        var x = randn(16, 300, Features);
        var labelLengths = tensor(Enumerable.Range(0, 16).Select(i => 30L - i).ToArray());
        var labels = randint(1, Classes, new long[] { 16, 30 });
        var loss = new CtcLoss(0, CtcReduction.LengthNormalizedMean, zeroInfinity: true);
        var conformerOptimizer = optim.Adam(conformer.parameters(), 1e-3);
        var bigruOptimizer = optim.Adam(bigru.parameters(), 2e-3);
        Action Step(nn.Module<Tensor, Tensor, (Tensor, Tensor)> model, optim.Optimizer optimizer) => () =>
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var (logits, logitLengths) = model.call(x, lengths);
            loss.Forward(logits, logitLengths, labels, labelLengths).backward();
            optimizer.step();
        };
        Console.WriteLine($"{Environment.ProcessorCount} CPUs, {TorchThreads.Describe()}; batch 16 × ≤300 frames × {Features} features; median of {rounds} interleaved training steps.");
        var ms = SuiteBenchmark.MedianInterleaved(rounds, Step(conformer, conformerOptimizer), Step(bigru, bigruOptimizer));
        Console.WriteLine($"{"model",-58} {"parameters",11} {"ms/step",8}");
        Console.WriteLine($"{"Conformer-CTC (×4 conv2d, d 144, 4 heads, 4 blocks, k 31)",-58} {Count(conformer),11:N0} {ms[0],8:F0}");
        Console.WriteLine($"{"BiGRU (2 × bidirectional GRU(96), specs/bigru.ctc.yaml)",-58} {Count(bigru),11:N0} {ms[1],8:F0}");

        // Where the Conformer's time goes: its parts alone, forward and backward.
        var subsampled = conformer.Subsampling.call(x, lengths).detach();
        var subsampledLengths = conformer.Subsampling.OutputLengths(lengths);
        var parts = SuiteBenchmark.MedianInterleaved(rounds,
            () => { using var scope = NewDisposeScope(); conformer.Subsampling.call(x, lengths).sum().backward(); },
            () => { using var scope = NewDisposeScope(); conformer.Encoder.call(subsampled, subsampledLengths).sum().backward(); });
        Console.WriteLine($"{"  of which conv2d subsampling, forward + backward",-58} {Count(conformer.Subsampling),11:N0} {parts[0],8:F0}");
        Console.WriteLine($"{"  of which the 4 Conformer blocks, forward + backward",-58} {Count(conformer.Encoder),11:N0} {parts[1],8:F0}");

        // The runtime's conv2d (unfolded windows) against libtorch's (oneDNN) on the subsampling's layers.
        Console.WriteLine($"{"conv2d, forward + backward",-58} {"runtime ms",11} {"libtorch ms",12} {"runtime error",14} {"libtorch error",15}");
        foreach (var (name, input, time, freq) in new[] { ("layer 1: 1→144, k3, s2 on 300 × 26", 1L, 300L, 26L), ("layer 2: 144→144, k3, s2 on 150 × 13", 144L, 150L, 13L) })
        {
            var conv = new CtcDsl.Runtime.Nn.Conv2d(input, 144, 3, stride: 2, padding: 1);
            var channelsLast = randn(16, time, freq, input);
            var nchw = channelsLast.permute(0, 3, 1, 2).contiguous();
            var times = SuiteBenchmark.MedianInterleaved(rounds,
                () => { using var scope = NewDisposeScope(); conv.call(channelsLast).sum().backward(); },
                () => { using var scope = NewDisposeScope(); nn.functional.conv2d(nchw, conv.Weight, conv.Bias, new long[] { 2, 2 }, new long[] { 1, 1 }).sum().backward(); });
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var reference = nn.functional.conv2d(nchw.to(float64), conv.Weight.to(float64), conv.Bias.to(float64), new long[] { 2, 2 }, new long[] { 1, 1 }).permute(0, 2, 3, 1);
            double Error(Tensor y) => (y.to(float64) - reference).abs().nan_to_num(1e30).max().item<double>() / reference.abs().max().item<double>();
            var theirs = nn.functional.conv2d(nchw, conv.Weight, conv.Bias, new long[] { 2, 2 }, new long[] { 1, 1 }).permute(0, 2, 3, 1);
            Console.WriteLine($"{"  " + name,-58} {times[0],11:F0} {times[1],12:F0} {Error(conv.call(channelsLast)),14:E1} {Error(theirs),15:E1}");
        }
    }

    private static long Count(nn.Module module) => module.parameters().Sum(p => p.numel());

    private sealed class ConformerCtc : nn.Module<Tensor, Tensor, (Tensor, Tensor)>
    {
        private readonly Conv2dSubsampling subsampling = new(Features, 144, factor: 4, channels: 144);
        private readonly ConformerEncoder encoder = new(144, 144, heads: 4, blocks: 4, feedForwardSize: 576, convolutionKernel: 31,
            ConvolutionNorm.BatchNorm, dropout: 0.1, attentionDropout: 0.1, inputDropout: 0.1);
        private readonly Linear logits = nn.Linear(144, Classes);

        public ConformerCtc() : base(nameof(ConformerCtc)) => RegisterComponents();

        public Conv2dSubsampling Subsampling => subsampling;

        public ConformerEncoder Encoder => encoder;

        public override (Tensor, Tensor) forward(Tensor x, Tensor lengths)
        {
            var outputLengths = subsampling.OutputLengths(lengths);
            return (logits.call(encoder.call(subsampling.call(x, lengths), outputLengths)), outputLengths);
        }
    }

    private sealed class BiGruCtc : nn.Module<Tensor, Tensor, (Tensor, Tensor)>
    {
        private readonly BidirectionalRnn encoder = new(RnnKind.Gru, Features, 96, layers: 2, dropout: 0.1);
        private readonly Linear logits = nn.Linear(192, Classes);

        public BiGruCtc() : base(nameof(BiGruCtc)) => RegisterComponents();

        public override (Tensor, Tensor) forward(Tensor x, Tensor lengths) => (logits.call(encoder.call(x, lengths)), lengths.alias());
    }
}
