// The seed article, ported: LSTM(50) + CTC on MFCCs of the TIMIT sample LDC93S1, from specs/ldc93s1.ctc.yaml.
//
//   dotnet run --project samples/Ldc93s1 -c Release -- [data-dir] [--seed N] [--epochs N] [--device cpu|cuda]
//   dotnet run --project samples/Ldc93s1 -c Release -- [data-dir] --sweep 0-9 --epochs 800
using System;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Nn;
using CtcDsl.Samples.Ldc93s1;
using TorchSharp;

var arguments = SampleArguments.Parse(args);
if (arguments is null) return 2;

Ldc93s1Data data;
try
{
    data = Ldc93s1Data.Load(arguments.DataDirectory);
}
catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
var device = Devices.Parse(arguments.Device);
Console.WriteLine($"Data: {data.Directory} ({data.Examples.Count} utterances: {data.Examples[0].Features.GetLength(0)} and {data.Examples[1].Features.GetLength(0)} frames). Device: {device}.");

if (arguments.SweepSeeds is { } seeds)
{
    Console.WriteLine($"seed | first epoch with both decoded exactly | exact at epoch {Math.Min(400, arguments.Epochs)} | exact at epoch {arguments.Epochs}");
    var reached400 = 0;
    var reachedEnd = 0;
    var converged400 = 0;
    var convergedEnd = 0;
    foreach (var seed in seeds)
    {
        var run = Ldc93s1Run.Train(data, seed, arguments.Epochs, device, log: null);
        var first = run.History.Epochs.FirstOrDefault(e => e["val_ler"] == 0)?.Epoch;
        var at400 = run.History.Epochs[Math.Min(400, arguments.Epochs) - 1]["val_ler"] == 0;
        var atEnd = run.History.Epochs[^1]["val_ler"] == 0;
        if (first <= 400) reached400++;
        if (first is not null) reachedEnd++;
        if (at400) converged400++;
        if (atEnd) convergedEnd++;
        Console.WriteLine($"{seed,4} | {(first?.ToString(CultureInfo.InvariantCulture) ?? "never"),5} | {at400,5} | {atEnd,5}");
        run.Model.Dispose();
    }
    Console.WriteLine($"Reached exact decodes of both utterances at some epoch: {reached400}/{seeds.Length} seeds by epoch {Math.Min(400, arguments.Epochs)}, {reachedEnd}/{seeds.Length} by epoch {arguments.Epochs}.");
    Console.WriteLine($"Still exact at the end of training: {converged400}/{seeds.Length} seeds at epoch {Math.Min(400, arguments.Epochs)}, {convergedEnd}/{seeds.Length} at epoch {arguments.Epochs}.");
    return 0;
}

var result = Ldc93s1Run.Train(data, arguments.Seed, arguments.Epochs, device, Console.Out);
Console.WriteLine("Original:");
foreach (var text in data.Transcripts) Console.WriteLine(text);
Console.WriteLine("Decoded:");
foreach (var text in result.Decoded) Console.WriteLine(text);
var exact = result.Decoded.SequenceEqual(data.Transcripts);
Console.WriteLine(exact ? "Both utterances decoded exactly." : "Not every utterance decoded exactly.");
result.Model.Dispose();
return 0;
