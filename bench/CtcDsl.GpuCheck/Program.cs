// The GPU checks of issue 12, run from the GPU kit (bench/gpu-kit, docs/gpu.md):
//   dotnet CtcDsl.GpuCheck.dll [--device cuda|cpu|auto] [--data DIR] [--out DIR] [--only env|correctness|bench] [--quick]
// Correctness checks print PASS or FAIL with their figures; timings are medians after a warm-up.
// Exit code 1 when a check failed. On a machine without a GPU everything runs on the CPU (--quick
// keeps that short), which is how the kit is rehearsed before a device is lent.
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.GpuCheck;
using CtcDsl.Runtime.Nn;
using TorchSharp;
using static TorchSharp.torch;

string? deviceName = null, data = null, only = null;
var outDir = ".";
var quick = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--device": deviceName = args[++i]; break;
        case "--data": data = args[++i]; break;
        case "--out": outDir = args[++i]; break;
        case "--only": only = args[++i]; break;
        case "--quick": quick = true; break;
        default: Console.Error.WriteLine($"error: unexpected argument '{args[i]}'"); return 2;
    }
}

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var device = Devices.Parse(deviceName);
var report = new CheckReport(Path.Combine(outDir, "gpu-check.md"));
report.Line($"# CtcDsl GPU checks — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
report.Line();
report.Line($"- device: {device}; CUDA available: {cuda.is_available()}; CUDA devices: {(cuda.is_available() ? cuda.device_count() : 0)}; cuDNN: {(cuda.is_available() && cuda.is_cudnn_available())}");
report.Line($"- TorchSharp {typeof(torch).Assembly.GetName().Version}, .NET {Environment.Version}, {Environment.ProcessorCount} cores, torch threads {get_num_threads()}");
report.Line($"- libtorch loaded from: {NativeLibraries.Describe()}");
report.Line();

report.Check("a matrix product and an LSTM step on the device", () =>
{
    using var scope = NewDisposeScope();
    var product = matmul(ones(64, 64, device: device), ones(64, 64, device: device)).sum().item<float>();
    using var lstm = nn.LSTM(4, 8, batchFirst: true, device: device);
    var (output, _, _) = lstm.call(ones(2, 5, 4, device: device));
    return (product == 64 * 64 * 64 && output.device_type == device.type, $"sum of ones(64²)·ones(64²) = {product}; LSTM output on {output.device}");
});
report.Line();
if (only is "env") { report.Save(); return report.Failures == 0 ? 0 : 1; }

if (only is null or "correctness") CorrectnessChecks.Run(report, device, data, quick);
if (only is null or "bench") GpuBenchmark.Run(report, device, data, quick);

report.Line();
report.Line(report.Failures == 0 ? "All checks passed." : $"{report.Failures} check(s) FAILED.");
report.Save();
return report.Failures == 0 ? 0 : 1;
