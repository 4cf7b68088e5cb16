// The seed article, ported: LSTM(50) + CTC on MFCCs of the TIMIT sample LDC93S1, from specs/ldc93s1.ctc.yaml.
//
//   dotnet run --project samples/Ldc93s1 -c Release -- [data-dir] [--seed N] [--epochs N] [--device cpu|cuda]
//                                                     [--checkpoints DIR] [--resume CHECKPOINT]
//   dotnet run --project samples/Ldc93s1 -c Release -- [data-dir] --evaluate CHECKPOINT
//   dotnet run --project samples/Ldc93s1 -c Release -- [data-dir] --sweep 0-9 --epochs 800
//   dotnet run --project samples/Ldc93s1 -c Release -- --transcribe AUDIO --checkpoint CHECKPOINT [--subtitles OUT.srt]
//   dotnet run --project samples/Ldc93s1 -c Release -- --export-onnx OUT.onnx --checkpoint CHECKPOINT
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Nn;
using CtcDsl.Runtime.Training;
using CtcDsl.Samples.Ldc93s1;

// A user error (a bad file, a damaged checkpoint, a diverging run, a full disk) is one line naming the
// problem and exit code 1; CTCDSL_DEBUG=1 shows the stack trace as well.
try
{
    return Run(args);
}
catch (Exception e) when (e is IOException or FormatException or ArgumentException or NonFiniteLossException or TrainingDivergedException or UnauthorizedAccessException or KeyNotFoundException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    if (Environment.GetEnvironmentVariable("CTCDSL_DEBUG") == "1") Console.Error.WriteLine(e);
    return 1;
}

static int Run(string[] args)
{
    var arguments = SampleArguments.Parse(args);
    if (arguments is null) return 2;
    TorchThreads.Configure(arguments.Threads);
    var device = Devices.Parse(arguments.Device);

    if (arguments.TrainManifest is { } manifest)
        return ManifestRun.Train(manifest, arguments, device);

    if (arguments.Grammar)
        return DecodingComparison.Run(arguments, device);

    if (arguments.ExportOnnx is { } onnx)
        return TranscribeCommand.Export(onnx, arguments.Checkpoint!, device);

    if (arguments.Transcribe is { } recording)
        return TranscribeCommand.Run(recording, arguments.Checkpoint!, arguments.SubtitlesPath, device);

    if (arguments.Synthetic || (arguments.DataDirectory is null && Ldc93s1Data.FindDefaultDirectory() is null))
    {
        // No data: the runtime's built-in synthetic speech, scored on sentences it never trained on.
        Console.WriteLine($"{(arguments.Synthetic ? "Synthetic mode" : "No LDC93S1 data given or found")}: training on built-in synthetic speech ({device}).");
        var syntheticModel = Path.Combine(arguments.CheckpointDirectory ?? Path.Combine("runs", $"synthetic-seed{arguments.Seed}"), "model.ckpt");
        var (heldOut, history, elapsed) = SyntheticRun.Train(arguments.Seed, arguments.SyntheticEpochs, trainCount: 600, heldOutCount: 100, device,
            inspect: (model, _) =>
            {
                Directory.CreateDirectory(Path.GetDirectoryName(syntheticModel)!);
                model.SaveCheckpoint(syntheticModel);
            });
        Console.Write(heldOut.ToText(worst: 3));
        Console.WriteLine($"Held-out CER {heldOut.CharacterErrorRate:P1} after {history.Epochs.Count} epochs in {elapsed.TotalSeconds:F0} s.");
        Console.WriteLine($"Model: {Path.GetFullPath(syntheticModel)} (transcribe a recording with --transcribe AUDIO --checkpoint {syntheticModel})");
        return 0;
    }

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
    Console.WriteLine($"Data: {data.Directory} ({data.Examples.Count} utterances: {data.Examples[0].Features.GetLength(0)} and {data.Examples[1].Features.GetLength(0)} frames{(data.Resampled is { } how ? "; audio " + how : "")}). Device: {device}.");

    if (arguments.Evaluate is { } checkpointPath)
    {
        // Decode the data set with the weights of a checkpoint and report the error rates.
        using var model = new Ldc93s1Model(device);
        try
        {
            var checkpoint = Checkpoint.Load(checkpointPath);
            checkpoint.EnsureMatches(nameof(Ldc93s1Model), Ldc93s1Model.Vocabulary, checkpointPath);
            checkpoint.RestoreWeights(model, checkpointPath);
            Console.WriteLine($"Checkpoint {checkpointPath}: epoch {checkpoint.Epoch}.");
        }
        catch (CheckpointException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        if (!SampleDecoding.Apply(model, arguments)) return 1;
        Console.Write(model.Report(data.Examples).ToText(worst: 2));
        return 0;
    }

    if (arguments.SweepSeeds is { } seeds)
    {
        Console.WriteLine($"seed | first epoch with both decoded exactly | exact at epoch {Math.Min(400, arguments.Epochs)} | exact at epoch {arguments.Epochs}");
        var reached400 = 0;
        var reachedEnd = 0;
        var converged400 = 0;
        var convergedEnd = 0;
        foreach (var seed in seeds)
        {
            var run = Ldc93s1Run.Train(data, seed, arguments.Epochs, device, o => o with { Progress = null });
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

    // Ctrl+C or SIGTERM (a scheduler, a container stop) end training after the current step; the
    // checkpoint of the last completed epoch, the history and its plot stay on disk.
    using var stopSignals = new StopSignals();
    if (arguments.Resume is { } resumePath && Checkpoint.Load(resumePath) is { } saved && saved.Epoch >= arguments.Epochs)
    {
        Console.WriteLine($"Nothing left to do: {resumePath} already holds epoch {saved.Epoch} and --epochs is {arguments.Epochs}; pass --epochs above {saved.Epoch} to train further.");
        return 0;
    }
    var checkpoints = new CheckpointOptions(arguments.CheckpointDirectory ?? Path.Combine("runs", $"ldc93s1-seed{arguments.Seed}"));
    Ldc93s1Run result;
    try
    {
        result = Ldc93s1Run.Train(data, arguments.Seed, arguments.Epochs, device, o => o with
        {
            Checkpoints = checkpoints,
            ResumeFrom = arguments.Resume,
            CancellationToken = stopSignals.Token,
        });
    }
    catch (CheckpointException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 1;
    }
    Console.WriteLine($"Checkpoints and history (csv, json, png): {Path.GetFullPath(checkpoints.Directory)}");
    if (device.type == TorchSharp.DeviceType.CPU) Console.WriteLine($"Trained on {TorchThreads.Describe()}.");
    if (result.History.Stopped)
    {
        Console.WriteLine($"Stopped{(stopSignals.Signal is { } signal ? $" by {signal}" : "")}. Resume with: --resume {checkpoints.LastPath}");
        result.Model.Dispose();
        return 130;
    }
    Console.WriteLine("Original:");
    foreach (var text in data.Transcripts) Console.WriteLine(text);
    Console.WriteLine("Decoded:");
    foreach (var text in result.Decoded) Console.WriteLine(text);
    var exact = result.Decoded.SequenceEqual(data.Transcripts);
    Console.WriteLine(exact ? "Both utterances decoded exactly." : "Not every utterance decoded exactly.");
    // Forced alignment: where each word of the transcript lies in the recording.
    var audio = WavAudio.Read(Path.Combine(data.Directory, "LDC93S1.wav"));
    var words = result.Model.AlignWords(audio, data.Transcripts[0]);
    Console.WriteLine("Word timings (forced alignment): " + string.Join(" ", words.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Text} {w.Start:F2}-{w.End:F2}"))));
    if (arguments.SubtitlesPath is { } subtitles) TranscribeCommand.Write(subtitles, words);
    result.Model.Dispose();
    return 0;
}
