using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using CtcDsl.Bench.Models;
using CtcDsl.Models;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Loss;
using CtcDsl.Samples.Ldc93s1;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.GpuCheck;

/// <summary>
/// Issue 12, part 3: issue 6's workload 2 (3-layer BiLSTM(256), 300–500 frames) on the device, one
/// training step and one inference batch, in three forms: the generated model (each direction a
/// one-layer RNN, the backward one over each sequence reversed within its length: exact on padding),
/// TorchSharp's fused bidirectional nn.LSTM over the padded batch (cuDNN's fastest path, but padding
/// leaks into the backward direction), and the same fused LSTM over a packed batch (cuDNN's
/// variable-length RNN: exact). Then bf16. PyTorch eager's figures come from pytorch_reference.py
/// run in the same call.
/// </summary>
internal static class GpuBenchmark
{
    public static void Run(CheckReport report, Device device, string? data, bool quick)
    {
        report.Line($"## Speed on {device}");
        report.Line();
        var steps = quick ? 2 : 10;
        var batches = device.type == DeviceType.CUDA ? new[] { 32, 256, 1024 } : new[] { quick ? 4 : 32 };
        report.Line($"Medians of {steps} after warm-up; ms per training step (Adam, CTC loss) and per inference batch (forward, argmax, best classes to the host); utt/s = batch / time.");
        report.Line();
        report.Line("| workload 2 | batch | train ms | train utt/s | infer ms | infer utt/s |");
        report.Line("|---|---:|---:|---:|---:|---:|");
        foreach (var size in batches)
        {
            using var scope = NewDisposeScope();
            var batch = Workload2Batch.Collate(CtcDsl.Bench.Workload2Data.Utterances(size), device);
            report.Measure($"generated, batch {size}", () => Row(report, "generated (per-sequence reversal, exact)", size, Generated(batch, device, ScalarType.Float32), steps, device));
            report.Measure($"fused padded, batch {size}", () => Row(report, "fused nn.LSTM, padded (inexact)", size, Fused(batch, device, packed: false, ScalarType.Float32), steps, device));
            report.Measure($"fused packed, batch {size}", () => Row(report, "fused nn.LSTM, packed (exact)", size, Fused(batch, device, packed: true, ScalarType.Float32), steps, device));
            // bf16 on a CPU is slow and not the question; at 1024 the fp32 forms answer what filling the GPU gives.
            if ((quick && device.type == DeviceType.CPU) || size > 256) continue;
            report.Measure($"generated bf16, batch {size}", () => Row(report, "generated, bf16 weights (fp32 loss)", size, Generated(batch, device, ScalarType.BFloat16), steps, device));
            report.Measure($"fused packed bf16, batch {size}", () => Row(report, "fused nn.LSTM, packed, bf16 (fp32 loss)", size, Fused(batch, device, packed: true, ScalarType.BFloat16), steps, device));
        }
        report.Line();
        report.Measure("seed model in bf16", () => SeedInBfloat16(report, device, data, quick));
        report.Line();
    }

    /// <summary>A training step and an inference batch of one form of the model.</summary>
    private sealed record Form(Action Train, Action Infer) : IDisposable
    {
        public List<IDisposable> Owned { get; } = new();
        public void Dispose() { foreach (var o in Owned) o.Dispose(); }
    }

    private static void Row(CheckReport report, string name, int size, Form form, int steps, Device device)
    {
        using (form)
        {
            var train = Median(steps, form.Train, device);
            var infer = Median(steps, form.Infer, device);
            report.Line($"| {name} | {size} | {train:F1} | {size / train * 1000:F0} | {infer:F1} | {size / infer * 1000:F0} |");
        }
    }

    private static Form Generated(Workload2Batch batch, Device device, ScalarType type)
    {
        random.manual_seed(1);
        var model = new Workload2Model(device);
        model.to(type);
        var adam = model.CreateOptimizer();
        var ctc = new CtcLoss(Workload2Model.BlankIndex);
        var features = batch.Features.to(type);
        var form = new Form(
            () =>
            {
                using var scope = NewDisposeScope();
                model.train();
                adam.zero_grad();
                var outputs = model.Run(features, batch.FeatureLengths);
                ctc.Forward(outputs.Logits.to(ScalarType.Float32), outputs.LogitsLengths, batch.Labels, batch.LabelLengths).backward();
                adam.step();
            },
            () =>
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                model.eval();
                // As the fused forms: best classes to the host (greedy decoding adds its collapse on the CPU).
                model.Run(features, batch.FeatureLengths).Logits.argmax(-1).cpu();
            });
        form.Owned.AddRange(new IDisposable[] { model, adam, features });
        return form;
    }

    private static Form Fused(Workload2Batch batch, Device device, bool packed, ScalarType type)
    {
        random.manual_seed(1);
        var lstm = nn.LSTM(13, 256, numLayers: 3, batchFirst: true, bidirectional: true, device: device, dtype: type);
        var dense = nn.Linear(512, Workload2Model.ClassCount, device: device, dtype: type);
        var adam = optim.Adam(lstm.parameters().Concat(dense.parameters()), 1e-3);
        var ctc = new CtcLoss(Workload2Model.BlankIndex);
        var features = batch.Features.to(type);
        var hostLengths = batch.FeatureLengths.cpu();
        Tensor Logits()
        {
            if (!packed) return dense.call(lstm.call(features).Item1);
            using var sequence = nn.utils.rnn.pack_padded_sequence(features, hostLengths, batch_first: true, enforce_sorted: false);
            var (output, h, c) = lstm.call(sequence);
            using (output)
            {
                var (padded, _) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: features.shape[1]);
                return dense.call(padded);
            }
        }
        var form = new Form(
            () =>
            {
                using var scope = NewDisposeScope();
                lstm.train();
                adam.zero_grad();
                ctc.Forward(Logits().to(ScalarType.Float32), batch.FeatureLengths, batch.Labels, batch.LabelLengths).backward();
                adam.step();
            },
            () =>
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                lstm.eval();
                Logits().argmax(-1).cpu();
            });
        form.Owned.AddRange(new IDisposable[] { lstm, dense, adam, features, hostLengths });
        return form;
    }

    /// <summary>The seed model with bf16 weights and activations, fp32 CTC loss, the spec's SGD, 400 epochs: does it still converge?</summary>
    private static void SeedInBfloat16(CheckReport report, Device device, string? directory, bool quick)
    {
        var data = Ldc93s1Data.Load(directory);
        random.manual_seed(SampleArguments.DefaultSeed);
        using var model = new Ldc93s1Model(device);
        model.to(ScalarType.BFloat16);
        using var sgd = model.CreateOptimizer();
        var ctc = new CtcLoss(Ldc93s1Model.BlankIndex);
        using var batch = Ldc93s1Batch.Collate(data.Examples, device);
        using var features = batch.Features.to(ScalarType.BFloat16);
        var epochs = quick ? 20 : 400;
        var clock = Stopwatch.StartNew();
        float loss = float.NaN;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            using var scope = NewDisposeScope();
            model.train();
            sgd.zero_grad();
            var outputs = model.Run(features, batch.FeatureLengths);
            var value = ctc.Forward(outputs.Logits.to(ScalarType.Float32), outputs.LogitsLengths, batch.Labels, batch.LabelLengths);
            loss = value.item<float>();
            value.backward();
            sgd.step();
        }
        var perEpoch = clock.Elapsed.TotalMilliseconds / epochs;
        model.eval();
        using var noGrad = no_grad();
        using var logits = model.Run(features, batch.FeatureLengths).Logits.to(ScalarType.Float32);
        var decoded = GreedyDecoder.Decode(logits, batch.FeatureLengths, Ldc93s1Model.BlankIndex).Select(ids => Ldc93s1Model.Vocabulary.Decode(ids)).ToArray();
        var exact = decoded.SequenceEqual(data.Transcripts);
        report.Line($"- seed model, bf16 weights and activations, fp32 loss, {epochs} SGD epochs (one step each, no validation): final loss {loss:F3}, {perEpoch:F2} ms/epoch, decodes {(exact ? "exact" : "\"" + string.Join("\" / \"", decoded) + "\"")}");
    }

    private static double Median(int count, Action run, Device device)
    {
        run();
        Synchronize(device);
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            run();
            Synchronize(device);
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return count % 2 == 1 ? times[count / 2] : (times[count / 2 - 1] + times[count / 2]) / 2;
    }

    private static void Synchronize(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}
