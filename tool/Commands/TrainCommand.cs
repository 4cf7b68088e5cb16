using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Nn;
using CtcDsl.Runtime.Training;
using CtcDsl.Tool.Data;
using CtcDsl.Tool.Spec;
using TorchSharp;

namespace CtcDsl.Tool.Commands;

/// <summary>What <c>ctcdsl train</c> was asked to do.</summary>
public sealed record TrainSettings(string Spec, string Train)
{
    /// <summary>A manifest to validate on (best checkpoint, report).</summary>
    public string? Valid { get; init; }

    /// <summary>Epochs (default: the spec's <c>training.epochs</c>).</summary>
    public int? Epochs { get; init; }

    /// <summary>Batch size (default: the spec's).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Learning-rate warm-up steps in place of the spec's <c>training.schedule.warmup_steps</c>; 0 for none.</summary>
    public int? WarmupSteps { get; init; }

    /// <summary>Seed of the initial weights and the shuffling.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Where run folders go.</summary>
    public string Runs { get; init; } = "runs";

    /// <summary>A checkpoint or run folder to continue.</summary>
    public string? Resume { get; init; }

    /// <summary>cpu, cuda, cuda:N or auto.</summary>
    public string? Device { get; init; }

    /// <summary>libtorch CPU threads.</summary>
    public int? Threads { get; init; }

    /// <summary>error, drop or map (default: the spec's).</summary>
    public string? UnknownCharacters { get; init; }

    /// <summary>A mapping file for unknown characters.</summary>
    public string? Map { get; init; }

    /// <summary>Leave out utterances whose labels cannot fit their frames.</summary>
    public bool SkipInfeasible { get; init; }

    /// <summary>Skip the data check.</summary>
    public bool NoCheck { get; init; }

    /// <summary>Plot the loss on a linear axis (default: logarithmic).</summary>
    public bool LinearPlot { get; init; }
}

/// <summary>
/// <c>ctcdsl train SPEC MANIFEST</c>: checks the data, trains the spec's model in a new run folder
/// (never over an earlier run), and says honestly how well it learned.
/// </summary>
public static class TrainCommand
{
    /// <summary>Runs training; exit 0 when done, 1 on a data or spec problem, 130 when stopped by a signal.</summary>
    public static int Run(TrainSettings settings)
    {
        var spec = SpecCompiler.Compile(settings.Spec);
        var device = Devices.Parse(settings.Device);
        TorchThreads.Configure(settings.Threads);
        var epochs = settings.Epochs ?? spec.DefaultFitOptions.Epochs;

        string? resume = null;
        string folder;
        if (settings.Resume is { } from)
        {
            resume = RunFolders.ResolveCheckpoint(from, preferLast: true);
            var saved = Checkpoint.Load(resume);
            if (saved.Epoch >= epochs)
            {
                Console.WriteLine($"Nothing to do: {resume} already holds epoch {saved.Epoch} of {epochs}; pass --epochs above {saved.Epoch} to train further.");
                return 0;
            }
            folder = Path.GetDirectoryName(Path.GetFullPath(resume))!;
            Console.WriteLine($"Resuming {resume} at epoch {saved.Epoch + 1} of {epochs}; the run continues in its folder.");
        }
        else
            folder = RunFolders.CreateNext(settings.Runs, spec.Name);
        Console.WriteLine($"Run folder: {Path.GetFullPath(folder)}");
        try
        {
            return TrainIn(folder, settings, spec, device, epochs, resume);
        }
        catch
        {
            // A new run that stopped before writing anything (a data problem, a refused warm-up) leaves no
            // empty folder behind to take the next number.
            if (resume is null) RunFolders.RemoveIfEmpty(folder);
            throw;
        }
    }

    private static int TrainIn(string folder, TrainSettings settings, CompiledSpec spec, torch.Device device, int epochs, string? resume)
    {
        Console.WriteLine($"Spec: {spec.SpecPath} ({spec.ModelType.Name}); device {device}.");
        // A subword spec's pieces come first: the transcript policy and the data check read its vocabulary.
        if (spec.BindSubwords(resume, settings.Train) is { } bound) Console.WriteLine(bound);
        var transcripts = TranscriptPolicy.Resolve(spec, settings.UnknownCharacters, settings.Map);

        if (!settings.NoCheck)
        {
            var blocking = 0;
            foreach (var manifest in new[] { settings.Train, settings.Valid }.OfType<string>())
            {
                var report = DataCheck.Run(manifest, spec, transcripts, settings.SkipInfeasible);
                foreach (var line in report.Lines) Console.WriteLine(line);
                blocking += report.Blocking;
            }
            if (blocking > 0)
                throw new DataFileException($"the data check found {blocking} problem(s) that would stop training (listed above with their fixes); nothing was trained.");
        }

        using var stop = new StopSignals();
        torch.random.manual_seed(settings.Seed);
        using var session = spec.CreateSession(device);
        // Features are computed once into a cache shared by runs of the same front-end and streamed every epoch.
        var cache = Path.Combine(settings.Runs, "feature-cache");
        var options = new DataSetOptions
        {
            CacheDirectory = cache,
            StreamFromDisk = true,
            Infeasible = settings.SkipInfeasible ? InfeasiblePolicy.Skip : InfeasiblePolicy.Error,
            FitStatistics = resume is null,
        };
        var training = session.Load(settings.Train, transcripts, options, stop.Token);
        var validation = settings.Valid is { } valid ? session.Load(valid, transcripts, options with { FitStatistics = false }, stop.Token) : null;
        Console.WriteLine($"Training on {training.Count} utterance(s){(training.Skipped.Count > 0 ? $" ({training.Skipped.Count} skipped)" : "")}" +
                          (validation is null ? ", no validation set (--valid): the best checkpoint follows the training loss" : $", validating on {validation.Count}") + ".");

        var history = session.Fit(training, validation, spec.DefaultFitOptions with
        {
            Epochs = epochs,
            BatchSize = settings.BatchSize ?? spec.DefaultFitOptions.BatchSize,
            Schedule = settings.WarmupSteps is { } warmup ? LearningRateSchedule.WithWarmup(spec.DefaultFitOptions.Schedule, warmup) : spec.DefaultFitOptions.Schedule,
            Seed = settings.Seed,
            Threads = settings.Threads, // null: Fit fits CtcDsl's own count to the model (TorchThreads.PlanForTraining)
            BucketByLength = true,
            Checkpoints = new CheckpointOptions(folder) { LogScaleLoss = !settings.LinearPlot },
            ResumeFrom = resume,
            CancellationToken = stop.Token,
        });
        var checkpoints = new CheckpointOptions(folder);
        if (history.Stopped && stop.Token.IsCancellationRequested)
        {
            Console.WriteLine($"Stopped{(stop.Signal is { } signal ? $" by {signal}" : "")} after epoch {history.Epochs.Count}. Continue with: ctcdsl train {settings.Spec} {settings.Train} --resume {folder}");
            Console.WriteLine($"Run folder: {Path.GetFullPath(folder)}");
            return 130;
        }

        if (device.type == DeviceType.CPU) Console.WriteLine($"Trained on {TorchThreads.Describe()}.");
        var scored = validation ?? training;
        var what = validation is null ? $"{settings.Train} (training data; give --valid for a fair score)" : settings.Valid!;
        var result = session.Report(scored, limit: 500);
        Console.Write(result.ToText(worst: 3));
        foreach (var warning in Quality.Warnings(result, what)) Console.Error.WriteLine(warning);
        var model = File.Exists(checkpoints.BestPath) ? checkpoints.BestPath : checkpoints.LastPath;
        Console.WriteLine($"Model: {Path.GetFullPath(model)}");
        Console.WriteLine($"Run folder: {Path.GetFullPath(folder)} (checkpoints, history.csv/json/png)");
        Console.WriteLine($"Next: ctcdsl transcribe {settings.Spec} {folder} RECORDING.wav [--subtitles out.srt]");
        return 0;
    }
}
