using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// The seed model written directly against TorchSharp, as someone would without CtcDsl: the
/// baseline the generated model's overhead is measured against. Same layers, same loss, same
/// per-epoch work (one SGD step with the training LER, then validation loss and LER).
/// </summary>
internal sealed class HandWrittenSeedModel : nn.Module<Tensor, Tensor>
{
    private const int Blank = 27;
    private readonly LSTM lstm = nn.LSTM(13, 50, batchFirst: true);
    private readonly Linear dense = nn.Linear(50, 28);

    public HandWrittenSeedModel() : base(nameof(HandWrittenSeedModel))
    {
        RegisterComponents();
        using var _ = no_grad();
        nn.init.xavier_uniform_(lstm.get_parameter("weight_ih_l0")!);
        nn.init.orthogonal_(lstm.get_parameter("weight_hh_l0")!);
        nn.init.zeros_(lstm.get_parameter("bias_ih_l0")!);
        nn.init.zeros_(lstm.get_parameter("bias_hh_l0")!);
        lstm.get_parameter("bias_ih_l0")!.narrow(0, 50, 50).fill_(1.0);
        nn.init.normal_(dense.weight!, 0, 0.1).clamp_(-0.2, 0.2); // clamped, not redrawn: init does not affect timing
        nn.init.zeros_(dense.bias!);
    }

    public override Tensor forward(Tensor features) => dense.call(lstm.call(features).Item1);

    /// <summary>
    /// One epoch as Keras' fit does it for the article: a step on the batch, then validation. Like any
    /// training loop fed from data, it builds the padded tensors from the feature arrays for the step
    /// and again for validation — the same data handling the generated model's trainer does.
    /// </summary>
    public (double Loss, double Ler, double ValLoss, double ValLer) Epoch(optim.Optimizer optimizer, float[][,] utterances, int[][] labelIds)
    {
        train();
        double loss, ler;
        using (var scope = NewDisposeScope())
        {
            var (features, lengths, labels, labelLengths) = Pad(utterances, labelIds);
            optimizer.zero_grad();
            var logits = forward(features);
            var nll = Ctc(logits, lengths, labels, labelLengths);
            loss = nll.item<float>();
            ler = LabelErrorRate(logits, lengths, labelIds);
            nll.backward();
            optimizer.step();
        }
        eval();
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            var (features, lengths, labels, labelLengths) = Pad(utterances, labelIds);
            var logits = forward(features);
            var valLoss = Ctc(logits, lengths, labels, labelLengths).item<float>();
            return (loss, ler, valLoss, LabelErrorRate(logits, lengths, labelIds));
        }
    }

    private static (Tensor Features, Tensor Lengths, Tensor Labels, Tensor LabelLengths) Pad(float[][,] utterances, int[][] labelIds)
    {
        var time = utterances.Max(u => u.GetLength(0));
        var values = new float[utterances.Length * time * 13];
        for (var b = 0; b < utterances.Length; b++)
            Buffer.BlockCopy(utterances[b], 0, values, b * time * 13 * sizeof(float), utterances[b].Length * sizeof(float));
        var longest = labelIds.Max(l => l.Length);
        var labels = new long[labelIds.Length * longest];
        for (var b = 0; b < labelIds.Length; b++)
            for (var i = 0; i < labelIds[b].Length; i++) labels[b * longest + i] = labelIds[b][i];
        return (tensor(values, new long[] { utterances.Length, time, 13 }),
            tensor(utterances.Select(u => (long)u.GetLength(0)).ToArray()),
            tensor(labels, new long[] { labelIds.Length, longest }),
            tensor(labelIds.Select(l => (long)l.Length).ToArray()));
    }

    private static Tensor Ctc(Tensor logits, Tensor lengths, Tensor labels, Tensor labelLengths) =>
        nn.functional.ctc_loss(nn.functional.log_softmax(logits, -1).transpose(0, 1), labels, lengths, labelLengths, Blank, false, nn.Reduction.None).mean();

    private static double LabelErrorRate(Tensor logits, Tensor lengths, int[][] labelIds)
    {
        using var best = logits.argmax(-1);
        var paths = best.data<long>().ToArray();
        var valid = lengths.data<long>().ToArray();
        var time = (int)logits.shape[1];
        var sum = 0.0;
        for (var b = 0; b < labelIds.Length; b++)
        {
            var decoded = new List<int>();
            long previous = -1;
            for (var t = 0; t < valid[b]; t++)
            {
                var c = paths[b * time + t];
                if (c != previous && c != Blank) decoded.Add((int)c);
                previous = c;
            }
            sum += (double)Levenshtein(decoded, labelIds[b]) / labelIds[b].Length;
        }
        return sum / labelIds.Length;
    }

    private static int Levenshtein(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        var row = Enumerable.Range(0, b.Count + 1).ToArray();
        for (var i = 1; i <= a.Count; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Count; j++)
            {
                var above = row[j];
                row[j] = Math.Min(diagonal + (a[i - 1] == b[j - 1] ? 0 : 1), Math.Min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[b.Count];
    }
}
