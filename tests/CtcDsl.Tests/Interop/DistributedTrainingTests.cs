using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using CtcDsl.Tests.Support;
using CtcDsl.Tests.Tool;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Interop;

/// <summary>
/// Issue 26's round trip, small enough for CI: a tiny spec goes through <c>ctcdsl export-pytorch</c>, the
/// demo data through <c>ctcdsl export-features</c>, and the exported train.py runs twice on the CPU — once
/// as two DistributedDataParallel processes (<c>python3 -m torch.distributed.run --nproc_per_node 2</c>,
/// gloo) and once as one process, with the same global batch, SpecAugment and a warm-up cosine schedule.
/// The per-step losses must agree to float rounding and each step's learning rate must be the C#
/// schedule's; the two processes' state dict is read by <c>ctcdsl evaluate</c> and loads into the
/// generated C# model (identity, names, shapes checked) with PyTorch's logits and greedy paths.
/// </summary>
public sealed class DistributedTrainingTests(ITestOutputHelper output) : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-ddp-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    // No batch norm: its statistics are per process under DDP (train.py says so), which would make the runs differ by design.
    private const string TinySpec = """
        version: 1
        name: TinyDdp
        vocabulary:
          tokens: " abcdefghijklmnopqrstuvwxyz'"
          blank: last
        features:
          type: logfbank
          sample_rate: 16000
          filters: 12
          normalize: utterance
          spec_augment: { frequency_masks: 2, max_frequency_width: 3, time_masks: 2, max_time_width: 10, max_time_fraction: 0.1 }
        inputs:
          features: { kind: features, shape: [time, 12] }
          labels: { kind: labels }
        layers:
          - { type: conv1d, name: conv, filters: 16, kernel: 3, stride: 2, padding: same, activation: relu }
          - { type: gru, name: encoder, units: 16, bidirectional: true }
          - { type: dense, name: logits, units: classes }
        ctc:
          logits: logits
          labels: labels
        training:
          optimizer: { type: adam, learning_rate: 0.01 }
          clip_grad_norm: 1
          epochs: 2
          batch_size: 4
          seed: 3
          schedule: { type: cosine, epochs: 2, min_learning_rate: 0.001, warmup_steps: 2 }
        """;

    [SkippableFact]
    public void Two_processes_train_as_one_and_their_state_dict_loads_in_csharp()
    {
        PyTorchReference.SkipUnlessAvailable();
        var spec = Path.Combine(directory, "tiny.ctc.yaml");
        File.WriteAllText(spec, TinySpec);
        Tool("demo-data", "data", "--count", "10");
        Tool("export-pytorch", spec, "package");
        Tool("export-features", spec, Path.Combine("data", "train.csv"), "train.npz");

        var started = Stopwatch.StartNew();
        // --redirects 1 --tee 1: Debian's torch 1.13 launcher on Python 3.11 fails with its default of 0 (its Std
        // flag lookup misses the zero member), so worker stdout goes to log files and the console instead.
        RunPython("-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "--redirects", "1", "--tee", "1", "package/train.py", "train.npz", "--out", "ddp", "--max-steps", "4");
        var ddpSeconds = started.Elapsed.TotalSeconds;
        RunPython("package/train.py", "train.npz", "--out", "single", "--max-steps", "4");
        output.WriteLine($"2-process run {ddpSeconds:F1} s, both {started.Elapsed.TotalSeconds:F1} s");

        var ddp = Losses("ddp");
        var single = Losses("single");
        // The learning rate of each step is the C# trainer's: warm-up, then cosine by epoch.
        var schedule = new CtcDsl.Runtime.Training.LearningRateSchedule.Warmup(2, new CtcDsl.Runtime.Training.LearningRateSchedule.Cosine(2, 0.001));
        foreach (var run in new[] { "ddp", "single" })
            foreach (var (epoch, step, rate) in Rates(run))
                Assert.Equal(schedule.Rate(0.01, epoch - 1, step - 1), rate, 12);
        Assert.Equal(4, single.Length);
        Assert.Equal(single.Length, ddp.Length);
        for (var step = 0; step < single.Length; step++)
        {
            var difference = Math.Abs(ddp[step] - single[step]);
            output.WriteLine($"step {step + 1}: 1 process {single[step]:R}, 2 processes {ddp[step]:R}, |difference| {difference:E2}");
            Assert.True(difference <= 1e-5 * Math.Max(1, Math.Abs(single[step])), $"step {step + 1}: {ddp[step]} with 2 processes, {single[step]} with 1");
        }
        Assert.NotEqual(single[0], single[^1]); // it trained

        // The tool reads the state dict as a checkpoint: evaluate runs the spec's front-end and decodes.
        var (code, report) = ToolProcess.Run(directory, "evaluate", spec, Path.Combine("ddp", "model.pt"), Path.Combine("data", "dev.csv"));
        Assert.True(code == 0, report);
        Assert.Contains("CER", report);

        // The state dict of the two-process run in the C# model: identity, names and shapes checked on load.
        var generated = new GeneratedModel(spec);
        using var model = (nn.Module<Tensor, Tensor, Tensor>)generated.Create();
        model.eval();
        generated.Invoke(model, "LoadStateDict", Path.Combine(directory, "ddp", "model.pt"));
        manual_seed(8);
        using var features = randn(2, 60, generated.FeatureSize);
        using var lengths = tensor(new long[] { 60, 41 });
        PyTorchReference.Write(Path.Combine(directory, "trained.features.bin"), features);
        PyTorchReference.Write(Path.Combine(directory, "trained.lengths.bin"), lengths);
        File.WriteAllText(Path.Combine(directory, "cases.txt"), "trained");
        PyTorchReference.Run("tests/CtcDsl.Tests/Interop/exported_package_in_pytorch.py", directory,
            Path.Combine(directory, "package"), directory, Path.Combine(directory, "ddp", "model.pt"));
        using (no_grad())
        using (var logits = model.call(features, lengths).to(ScalarType.Float64))
        using (var expected = PyTorchReference.Read(Path.Combine(directory, "trained.logits.bin")))
        {
            var difference = (logits - expected).abs().max().item<double>();
            output.WriteLine($"trained state dict: largest |C# − PyTorch| logit = {difference:E2}");
            Assert.True(difference <= 1e-5, $"the trained state dict gives logits {difference:E2} apart in C# and PyTorch");
            using var valid = (Tensor)generated.Invoke(model, "OutputLengths", lengths);
            for (var b = 0; b < 2; b++)
            {
                var frames = valid[b].item<long>();
                Assert.Equal(expected[b].narrow(0, 0, frames).argmax(-1).data<long>().ToArray(), logits[b].narrow(0, 0, frames).argmax(-1).data<long>().ToArray());
            }
        }
    }

    private void Tool(params string[] arguments)
    {
        var (code, text) = ToolProcess.Run(directory, arguments);
        Assert.True(code == 0, $"ctcdsl {string.Join(' ', arguments)}: exit {code}\n{text}");
    }

    private void RunPython(params string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = "1"; // shared machine; also the same reduction order in every run
        using var python = Process.Start(start)!;
        var error = python.StandardError.ReadToEndAsync();
        var text = python.StandardOutput.ReadToEnd();
        Assert.True(python.WaitForExit(TimeSpan.FromMinutes(3)), "train.py did not finish in 3 minutes");
        Assert.True(python.ExitCode == 0, $"python3 {string.Join(' ', arguments)}: exit {python.ExitCode}\n{text}{error.Result}");
    }

    private (int Epoch, int Step, double Rate)[] Rates(string run) =>
        File.ReadAllLines(Path.Combine(directory, run, "losses.jsonl")).Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (e.GetProperty("epoch").GetInt32(), e.GetProperty("step").GetInt32(), e.GetProperty("lr").GetDouble())).ToArray();

    private double[] Losses(string run) =>
        File.ReadAllLines(Path.Combine(directory, run, "losses.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("loss").GetDouble()).ToArray();
}
