using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Loss;
using CtcDsl.Runtime.Nn;
using CtcDsl.Runtime.Training;
using CtcDsl.Samples.Ldc93s1;
using CtcDsl.Tests.Support;
using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.GpuCheck;

/// <summary>Issue 12, part 2: what must hold on the device (each check also runs, and passes, on the CPU).</summary>
internal static class CorrectnessChecks
{
    public static void Run(CheckReport report, Device device, string? data, bool quick)
    {
        report.Line($"## Correctness on {device}");
        report.Line();
        report.Check("CTC loss = brute force over all alignments (float32 and float64), gradients = CPU's", () => CtcLossAgainstBruteForce(device));
        report.Check("greedy and beam decoding of device logits = decoding the same logits on the CPU", () => DecodingMatchesCpu(device));
        foreach (var spec in SpecModel.All)
            report.Check($"{spec.Name}: padded batch = each utterance alone (eval)", () => PaddedBatchEqualsAlone(spec, device));
        foreach (var spec in SpecModel.All)
            report.Check($"{spec.Name}: training steps on the device, no host-made tensor per step", () => TrainingStep(spec, device));
        report.Check("the host-tensor watch catches a host-made mask copied up", () => WatchCatchesHostData(device));
        report.Check("CUDA random streams: reseeded per epoch, replayed exactly", () => RandomReplay(device));
        report.Check("bigru (dropout): 3 epochs = 1 epoch + checkpoint + resume for 2", () => CheckpointResume(device));
        report.Check("seed model (LDC93S1) trains to exact decodes", () => SeedConverges(device, data, quick));
        report.Line();
    }

    private static (bool, string) CtcLossAgainstBruteForce(Device device)
    {
        var cases = new (int Frames, int Classes, int Blank, int[] Labels)[]
        {
            (4, 3, 2, new[] { 0, 1 }), (4, 3, 0, new[] { 1, 2 }), (5, 3, 2, new[] { 1, 1 }), (3, 3, 0, new[] { 2, 2 }),
            (5, 4, 1, new[] { 0, 2, 3 }), (3, 2, 1, new[] { 0 }), (4, 3, 2, Array.Empty<int>()),
        };
        double worst32 = 0, worst64 = 0, worstGrad = 0;
        foreach (var (frames, classes, blank, labels) in cases)
        {
            var random = new Random(frames * 31 + classes * 7 + blank);
            var logits = new double[frames, classes];
            for (var t = 0; t < frames; t++) for (var c = 0; c < classes; c++) logits[t, c] = random.NextDouble() * 4 - 2;
            var expected = -CtcBruteForce.LabellingLogProbabilities(CtcBruteForce.LogSoftmax(logits, frames), frames, blank)[CtcBruteForce.Key(labels)];

            double LossOn(Device on, ScalarType type, out double[] gradient)
            {
                using var scope = NewDisposeScope();
                var input = tensor(logits.Cast<double>().ToArray(), new long[] { 1, frames, classes }, ScalarType.Float64).to(type, on).requires_grad_();
                var labelTensor = tensor(labels.Length == 0 ? new long[] { 0 } : labels.Select(l => (long)l).ToArray(), new long[] { 1, Math.Max(1, labels.Length) }, device: on);
                var loss = new CtcLoss(blank).PerUtterance(input, tensor(new long[] { frames }, device: on), labelTensor, tensor(new long[] { labels.Length }, device: on));
                loss.sum().backward();
                gradient = input.grad!.to(ScalarType.Float64).cpu().data<double>().ToArray();
                return loss[0].to(ScalarType.Float64).cpu().item<double>();
            }

            worst32 = Math.Max(worst32, Math.Abs(LossOn(device, ScalarType.Float32, out _) - expected));
            worst64 = Math.Max(worst64, Math.Abs(LossOn(device, ScalarType.Float64, out var onDevice) - expected));
            LossOn(CPU, ScalarType.Float64, out var onCpu);
            worstGrad = Math.Max(worstGrad, onDevice.Zip(onCpu, (a, b) => Math.Abs(a - b)).Max());
        }
        return (worst32 < 1e-5 && worst64 < 1e-10 && worstGrad < 1e-10,
            $"{cases.Length} cases; largest |loss − brute force| {worst32:E1} (float32), {worst64:E1} (float64); largest |∂loss device − CPU| {worstGrad:E1}");
    }

    private static (bool, string) DecodingMatchesCpu(Device device)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        var logits = randn(6, 200, 29) * 3;
        var lengths = tensor(new long[] { 200, 180, 150, 90, 20, 1 });
        var beam = new PrefixBeamSearch(28, beamWidth: 8, nBest: 4);
        var greedy = new GreedyCtcDecoder(28);
        var mismatches = 0;
        foreach (var decoder in new ICtcDecoder[] { greedy, beam })
        {
            var onCpu = decoder.Decode(logits, lengths);
            var onDevice = decoder.Decode(logits.to(device), lengths.to(device));
            for (var b = 0; b < onCpu.Length; b++)
                for (var h = 0; h < Math.Max(onCpu[b].Count, onDevice[b].Count); h++)
                    if (h >= onCpu[b].Count || h >= onDevice[b].Count || !onCpu[b][h].Labels.SequenceEqual(onDevice[b][h].Labels)
                        || Math.Abs(onCpu[b][h].LogProbability - onDevice[b][h].LogProbability) > 1e-4)
                        mismatches++;
        }
        return (mismatches == 0, $"6 utterances (1–200 frames), greedy and beam width 8 with 4-best: {mismatches} differing hypotheses");
    }

    private static (bool, string) PaddedBatchEqualsAlone(SpecModel spec, Device device)
    {
        if (device.type != DeviceType.CUDA)
        {
            var (ok, text, _) = PaddedBatchEqualsAloneOnce(spec, device, "");
            return (ok, text);
        }
        // cuDNN convolutions run in TF32 by default (as in PyTorch): a batch and a single utterance
        // may take different algorithms, so they agree to TF32's ~1e-3 only. Leaked padding would
        // show as large differences either way; the exactness is checked in full fp32.
        var tf32 = PaddedBatchEqualsAloneOnce(spec, device, " with TF32 (default)");
        var wasAllowed = backends.cudnn.allow_tf32;
        backends.cudnn.allow_tf32 = false;
        try
        {
            var fp32 = PaddedBatchEqualsAloneOnce(spec, device, " in fp32 (TF32 off)");
            return (fp32.Item1 && tf32.Worst < 1e-2, $"{fp32.Item2}; {tf32.Item2}");
        }
        finally
        {
            backends.cudnn.allow_tf32 = wasAllowed;
        }
    }

    private static (bool, string, double Worst) PaddedBatchEqualsAloneOnce(SpecModel spec, Device device, string mode)
    {
        using var scope = NewDisposeScope();
        using var model = spec.Create(device, seed: 5);
        model.eval();
        using var noGrad = no_grad();
        manual_seed(9);
        var lengths = new long[] { 120, 103, 77 };
        // Padding holds large garbage: it must never reach a valid frame.
        var batch = (randn(3, 120, spec.FeatureSize) * 50).to(device);
        for (var b = 0; b < 3; b++) batch[b, TensorIndex.Slice(lengths[b])] = randn(1).to(device);
        using (var features = randn(3, 120, spec.FeatureSize).to(device))
            for (var b = 0; b < 3; b++) batch[b, TensorIndex.Slice(0, lengths[b])] = features[b, TensorIndex.Slice(0, lengths[b])];
        var batched = model.call(batch, tensor(lengths, device: device));
        var worst = 0.0;
        for (var b = 0; b < 3; b++)
        {
            var alone = model.call(batch[b, TensorIndex.Slice(0, lengths[b])].unsqueeze(0), tensor(new[] { lengths[b] }, device: device))[0];
            var frames = alone.shape[0];
            worst = Math.Max(worst, (batched[b, TensorIndex.Slice(0, frames)] - alone).abs().max().cpu().item<float>());
        }
        return (worst < 1e-4, $"largest |batched − alone| over valid frames{mode} {worst:E1}", worst);
    }

    private static (bool, string) TrainingStep(SpecModel spec, Device device)
    {
        using var model = spec.Create(device, seed: 5);
        using var optimizer = spec.Optimizer(model);
        var first = spec.Step(model, optimizer, 8, () => NewDisposeScope());
        // The second step is watched: every tensor it creates is tracked by its dispose scope, and on
        // a GPU none may live on the host except what decoding for metrics copies back (integer paths).
        var hostTensors = new List<Tensor>();
        var second = spec.Step(model, optimizer, 8, () => new Watch(device, hostTensors));
        var onDevice = model.parameters().All(p => p.device.type == device.type);
        var (copies, reads) = Classify(hostTensors);
        var summary = device.type == DeviceType.CPU
            ? "host tensors: n/a on the CPU"
            : $"host tensors left by the step: {copies.Count} of data ({string.Join(", ", copies)}), {reads} one-element reads (item)";
        return (float.IsFinite(first) && float.IsFinite(second) && onDevice && copies.Count == 0,
            $"loss {first:F3} → {second:F3}; parameters on {device.type}: {onDevice}; {summary}");
    }

    /// <summary>
    /// Host tensors a watched step left: one-element ones are what TorchSharp's <c>item()</c> copies
    /// back from the device and never disposes (the loss read, per-node loss metrics); anything larger
    /// is data that went through the host — a host-made mask or index copied up, or a needless download.
    /// </summary>
    private static (List<string> Copies, int Reads) Classify(List<Tensor> hostTensors)
    {
        var copies = hostTensors.Where(t => t.NumberOfElements > 1).Select(t => $"{t.dtype}[{string.Join("×", t.shape)}]").ToList();
        var reads = hostTensors.Count(t => t.NumberOfElements <= 1);
        foreach (var t in hostTensors) t.Dispose();
        return (copies, reads);
    }

    /// <summary>The watch itself fails on a device mix: a step that builds a mask on the host and copies it up is caught.</summary>
    private static (bool, string) WatchCatchesHostData(Device device)
    {
        if (device.type == DeviceType.CPU) return (true, "n/a on the CPU");
        var hostTensors = new List<Tensor>();
        using (var watch = new Watch(device, hostTensors))
        {
            using var values = ones(4, 100, device: device);
            var mask = tensor(Enumerable.Range(0, 400).Select(i => i % 3 == 0 ? 1f : 0f).ToArray(), new long[] { 4, 100 });
            (values * mask.to(device)).sum().item<float>();
        }
        var (copies, reads) = Classify(hostTensors);
        return (copies.Count == 1, $"a host-made [4×100] mask copied up per step is reported: {string.Join(", ", copies)} ({reads} reads)");
    }

    /// <summary>A dispose scope that, when it ends, hands over the host tensors still alive in it (on a GPU run).</summary>
    private sealed class Watch(Device device, List<Tensor> hostTensors) : IDisposable
    {
        private readonly DisposeScope scope = NewDisposeScope();

        public void Dispose()
        {
            if (device.type != DeviceType.CPU)
                foreach (var t in scope.DisposablesView.OfType<Tensor>().Where(t => !t.IsInvalid && t.device_type == DeviceType.CPU).ToArray())
                    hostTensors.Add(scope.Detach(t));
            scope.Dispose();
        }
    }

    private static (bool, string) RandomReplay(Device device)
    {
        using var scope = NewDisposeScope();
        AcceleratorRandom.SeedEpoch(device, 7, 3);
        var first = rand(4096, device: device).cpu();
        rand(100, device: device); // other draws in between
        AcceleratorRandom.SeedEpoch(device, 7, 4);
        var next = rand(4096, device: device).cpu();
        AcceleratorRandom.SeedEpoch(device, 7, 3);
        var again = rand(4096, device: device).cpu();
        var same = first.eq(again).all().item<bool>();
        var differs = !first.eq(next).all().item<bool>();
        return device.type == DeviceType.CPU
            ? (true, "CPU: its generator's state is in the checkpoint (CheckpointTests); reseeding applies to CUDA only")
            : (same && differs, $"epoch 3 replayed exactly: {same}; epoch 4 differs: {differs}");
    }

    private static (bool, string) CheckpointResume(Device device)
    {
        var spec = SpecModel.All.Single(s => s.Name == "bigru");
        var root = Path.Combine(Path.GetTempPath(), $"ctcdsl-gpucheck-{Environment.ProcessId}");
        try
        {
            var options = new FitOptions { Epochs = 3, BatchSize = 8, Seed = 11, Shuffle = true, Prefetch = false };
            using var whole = spec.Create(device, seed: 5);
            var straight = spec.Fit(whole, 24, options with { Checkpoints = new CheckpointOptions(Path.Combine(root, "a")) });
            using var part = spec.Create(device, seed: 5);
            var stopped = new CheckpointOptions(Path.Combine(root, "b"));
            spec.Fit(part, 24, options with { Epochs = 1, Checkpoints = stopped });
            using var resumedModel = spec.Create(device, seed: 99);
            var handles = resumedModel.parameters().Select(p => p.Handle).ToArray();
            var resumed = spec.Fit(resumedModel, 24, options with { ResumeFrom = stopped.LastPath, Checkpoints = new CheckpointOptions(Path.Combine(root, "c")) });
            // Loading must write into the model's tensors, not swap them: the optimiser holds those.
            var kept = resumedModel.parameters().Select(p => p.Handle).SequenceEqual(handles);
            var a = straight.Epochs.Select(e => e.Loss).ToArray();
            var b = resumed.Epochs.Select(e => e.Loss).ToArray();
            var worst = a.Zip(b, (x, y) => Math.Abs(x - y) / Math.Abs(x)).Max();
            // On the CPU the continuation is bit-exact. CUDA's CTC backward adds with atomics (PyTorch
            // documents it as non-deterministic), so there the losses agree to rounding only.
            var tolerance = device.type == DeviceType.CPU ? 0 : 1e-4;
            return (kept && a.Length == 3 && b.Length == 3 && worst <= tolerance,
                $"parameters kept their tensors through the load: {kept}; losses uninterrupted {CheckReport.Join(a, "F6")}; resumed {CheckReport.Join(b, "F6")}; largest relative difference {worst:E1} (allowed {tolerance:E0})");
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static (bool, string) SeedConverges(Device device, string? directory, bool quick)
    {
        var data = Ldc93s1Data.Load(directory);
        var seeds = quick ? new[] { SampleArguments.DefaultSeed } : new[] { SampleArguments.DefaultSeed, 0, 1, 2, 3 };
        var results = new List<string>();
        var exact = 0;
        foreach (var seed in seeds)
        {
            var run = Ldc93s1Run.Train(data, seed, epochs: 400, device, o => o with { Progress = null });
            using var model = run.Model;
            var ok = run.Decoded.SequenceEqual(data.Transcripts);
            if (ok) exact++;
            var times = run.History.Epochs.Select(e => e.Duration.TotalMilliseconds).OrderBy(t => t).ToArray();
            results.Add($"seed {seed}: {(ok ? "exact" : "\"" + string.Join("\" / \"", run.Decoded) + "\"")}, val_ler {run.History.Epochs[^1]["val_ler"]:F3}, median {times[times.Length / 2]:F1} ms/epoch");
            if (seed == SampleArguments.DefaultSeed && ok && quick) break;
        }
        return (exact > 0, $"{exact}/{results.Count} seeds decode both utterances exactly — {string.Join("; ", results)}");
    }
}
