using System.CommandLine;
using System.Linq;
using CtcDsl.Tool.Commands;

namespace CtcDsl.Tool;

/// <summary>The commands, their arguments and options, and their help text.</summary>
public static class Cli
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "ctcdsl: train, check data for, evaluate, transcribe and align with any CtcDsl spec (*.ctc.yaml).\n" +
            "The spec is compiled by the same generator a project build uses, so checkpoints move between the tool and your code.\n" +
            "Start: ctcdsl check my.ctc.yaml train.csv, then ctcdsl train my.ctc.yaml train.csv --valid dev.csv");
        root.Subcommands.Add(Train());
        root.Subcommands.Add(Check());
        root.Subcommands.Add(Evaluate());
        root.Subcommands.Add(Transcribe());
        root.Subcommands.Add(Align());
        root.Subcommands.Add(DemoData());
        root.Subcommands.Add(ExportPyTorch());
        root.Subcommands.Add(ExportFeatures());
        return root;
    }

    /// <summary>"ctcdsl train" and so on, for pointing at the right --help.</summary>
    public static string CommandLine(ParseResult parse)
    {
        var names = new System.Collections.Generic.List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command is RootCommand ? "ctcdsl" : result.Command.Name);
        return string.Join(" ", names);
    }

    /// <summary>"ctcdsl train &lt;spec&gt; &lt;manifest&gt; [options]": the command's arguments in order.</summary>
    public static string Usage(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var arguments = command.Arguments.Select(a => a.Arity.MaximumNumberOfValues > 1 ? $"<{a.Name}>..." : $"<{a.Name}>");
        return string.Join(" ", new[] { CommandLine(parse) }.Concat(arguments).Append(command is RootCommand ? "<command>" : "[options]"));
    }

    private static Argument<string> SpecArgument() => new("spec") { Description = "The spec file (*.ctc.yaml)." };

    private static Argument<string> CheckpointArgument() =>
        new("checkpoint") { Description = "A checkpoint file, a run folder (its best.ckpt, else last.ckpt), or a PyTorch state dict (.pt) from the exported trainer." };

    private static Option<string> DeviceOption() => new("--device") { Description = "cpu, cuda, cuda:N or auto (CUDA when available, else CPU).", DefaultValueFactory = _ => "auto" };

    private static Option<int?> ThreadsOption() => new("--threads") { Description = "libtorch CPU threads (default: CTCDSL_THREADS, else as many as the model trains fastest with, docs/cpu-threads.md)." };

    private static Option<string?> UnknownOption() =>
        new Option<string?>("--unknown-characters") { Description = "Transcript characters outside the vocabulary: error, drop or map (default: the spec's vocabulary.unknown_characters, else error)." }
            .AcceptOnlyFromAmong("error", "drop", "map");

    private static Option<string?> MapOption() =>
        new("--map") { Description = "A file of replacements for --unknown-characters map, one 'c=replacement' a line (e.g. '-= ', 'é=e'; 'c=' drops c)." };

    private static Option<bool> SkipInfeasibleOption() =>
        new("--skip-infeasible") { Description = "Leave out utterances whose labels cannot fit their frames (default: stop and list them)." };

    private static Command Train()
    {
        var spec = SpecArgument();
        var train = new Argument<string>("manifest") { Description = "Training data: DeepSpeech .csv, .jsonl/NeMo .json, Common Voice .tsv, a Kaldi or LibriSpeech folder (WAV, FLAC or MP3 at any rate)." };
        var valid = new Option<string?>("--valid") { Description = "A manifest to validate on: picks best.ckpt and gives the final score." };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: the spec's training.epochs)." };
        epochs.Validators.Add(r => { if (r.GetValue(epochs) is < 1) r.AddError("--epochs must be at least 1."); });
        var batch = new Option<int?>("--batch-size") { Description = "Examples per step (default: the spec's training.batch_size)." };
        batch.Validators.Add(r => { if (r.GetValue(batch) is < 1) r.AddError("--batch-size must be at least 1."); });
        var warmup = new Option<int?>("--warmup-steps") { Description = "Learning-rate warm-up in optimisation steps (default: the spec's training.schedule.warmup_steps; 0 for none). A short run on a small manifest may need fewer." };
        warmup.Validators.Add(r => { if (r.GetValue(warmup) is < 0) r.AddError("--warmup-steps must be 0 or more."); });
        var seed = new Option<int>("--seed") { Description = "Seed of the initial weights and the shuffling.", DefaultValueFactory = _ => 1 };
        var runs = new Option<string>("--runs") { Description = "Where run folders go: each run gets <runs>/<spec>-<n>, never an earlier run's.", DefaultValueFactory = _ => "runs" };
        var resume = new Option<string?>("--resume") { Description = "Continue a run: its folder or a checkpoint (weights, optimiser, epoch, history); it continues in that folder." };
        var unknown = UnknownOption();
        var map = MapOption();
        var skip = SkipInfeasibleOption();
        var noCheck = new Option<bool>("--no-check") { Description = "Skip the data check that runs before training." };
        var linear = new Option<bool>("--linear-plot") { Description = "Plot the loss in history.png on a linear axis (default: logarithmic)." };
        var device = DeviceOption();
        var threads = ThreadsOption();
        var command = new Command("train", "Check the data, then train the spec's model in a new run folder (runs/<spec>-<n>); Ctrl+C stops after the current step with everything saved.")
        {
            spec, train, valid, epochs, batch, warmup, seed, runs, resume, unknown, map, skip, noCheck, linear, device, threads,
        };
        command.SetAction(p => TrainCommand.Run(new TrainSettings(p.GetValue(spec)!, p.GetValue(train)!)
        {
            Valid = p.GetValue(valid),
            Epochs = p.GetValue(epochs),
            BatchSize = p.GetValue(batch),
            WarmupSteps = p.GetValue(warmup),
            Seed = p.GetValue(seed),
            Runs = p.GetValue(runs)!,
            Resume = p.GetValue(resume),
            UnknownCharacters = p.GetValue(unknown),
            Map = p.GetValue(map),
            SkipInfeasible = p.GetValue(skip),
            NoCheck = p.GetValue(noCheck),
            LinearPlot = p.GetValue(linear),
            Device = p.GetValue(device),
            Threads = p.GetValue(threads),
        }));
        return command;
    }

    private static Command Check()
    {
        var spec = SpecArgument();
        var manifests = new Argument<string[]>("manifest") { Description = "One or more manifests to check.", Arity = ArgumentArity.OneOrMore };
        var unknown = UnknownOption();
        var map = MapOption();
        var skip = SkipInfeasibleOption();
        var command = new Command("check", "Check data for a spec without training: characters outside the vocabulary (with counts and lines), empty transcripts, labels that cannot fit their frames, unreadable audio, sample rates and durations. Exit code 1 when training would stop.")
        {
            spec, manifests, unknown, map, skip,
        };
        command.SetAction(p => CheckCommand.Run(p.GetValue(spec)!, p.GetValue(manifests)!, p.GetValue(unknown), p.GetValue(map), p.GetValue(skip)));
        return command;
    }

    private static Command Evaluate()
    {
        var spec = SpecArgument();
        var checkpoint = CheckpointArgument();
        var manifest = new Argument<string>("manifest") { Description = "The data to score." };
        var worst = new Option<int>("--worst") { Description = "How many of the worst utterances to show.", DefaultValueFactory = _ => 5 };
        var unknown = UnknownOption();
        var map = MapOption();
        var skip = SkipInfeasibleOption();
        var device = DeviceOption();
        var threads = ThreadsOption();
        var command = new Command("evaluate", "Decode a data set with a checkpoint and report LER, CER and WER with the worst utterances.")
        {
            spec, checkpoint, manifest, worst, unknown, map, skip, device, threads,
        };
        command.SetAction(p => EvaluateCommand.Run(p.GetValue(spec)!, p.GetValue(checkpoint)!, p.GetValue(manifest)!, p.GetValue(worst),
            p.GetValue(unknown), p.GetValue(map), p.GetValue(skip), p.GetValue(device), p.GetValue(threads)));
        return command;
    }

    private static Command Transcribe()
    {
        var spec = SpecArgument();
        var checkpoint = CheckpointArgument();
        var audio = new Argument<string[]>("audio") { Description = "Recordings (WAV, FLAC or MP3, any rate and length).", Arity = ArgumentArity.OneOrMore };
        var subtitles = new Option<string?>("--subtitles") { Description = "Write subtitles of the (one) recording: .srt (SubRip) or .vtt (WebVTT)." };
        var device = DeviceOption();
        var threads = ThreadsOption();
        var command = new Command("transcribe", "Transcribe recordings of any length with word timings, optionally as subtitles.")
        {
            spec, checkpoint, audio, subtitles, device, threads,
        };
        command.SetAction(p => TranscribeCommand.Run(p.GetValue(spec)!, p.GetValue(checkpoint)!, p.GetValue(audio)!, p.GetValue(subtitles), p.GetValue(device), p.GetValue(threads)));
        return command;
    }

    private static Command DemoData()
    {
        var directory = new Argument<string>("directory") { Description = "Where to write train.csv, dev.csv and wav/." };
        var count = new Option<int>("--count") { Description = "Training utterances (dev gets a tenth).", DefaultValueFactory = _ => 200 };
        var seed = new Option<int>("--seed") { Description = "Seed of the sentences and voices.", DefaultValueFactory = _ => 1 };
        var command = new Command("demo-data", "Write a small data set of synthetic speech (real words from a grammar) as WAV files and DeepSpeech manifests, to try the other commands.")
        {
            directory, count, seed,
        };
        command.SetAction(p => DemoDataCommand.Run(p.GetValue(directory)!, p.GetValue(count), p.GetValue(seed)));
        return command;
    }

    private static Command Align()
    {
        var spec = SpecArgument();
        var checkpoint = CheckpointArgument();
        var audio = new Argument<string>("audio") { Description = "The recording (WAV, FLAC or MP3)." };
        var transcript = new Argument<string>("transcript") { Description = "What is said in it (normalised like training transcripts)." };
        var subtitles = new Option<string?>("--subtitles") { Description = "Write the aligned words as subtitles: .srt or .vtt." };
        var unknown = UnknownOption();
        var map = MapOption();
        var device = DeviceOption();
        var threads = ThreadsOption();
        var command = new Command("align", "Forced alignment: where each word of a known transcript lies in a recording.")
        {
            spec, checkpoint, audio, transcript, subtitles, unknown, map, device, threads,
        };
        command.SetAction(p => AlignCommand.Run(p.GetValue(spec)!, p.GetValue(checkpoint)!, p.GetValue(audio)!, p.GetValue(transcript)!,
            p.GetValue(subtitles), p.GetValue(unknown), p.GetValue(map), p.GetValue(device), p.GetValue(threads)));
        return command;
    }

    private static Command ExportPyTorch()
    {
        var spec = SpecArgument();
        var directory = new Argument<string>("directory") { Description = "Where to write the package (model.py, ctcdsl_nn.py, train.py, spec.json)." };
        var command = new Command("export-pytorch", "Write the spec's model as a PyTorch package with a torchrun/DDP trainer; its state dicts load in CtcDsl (docs/training-at-scale.md).")
        {
            spec, directory,
        };
        command.SetAction(p => ExportPyTorchCommand.Run(p.GetValue(spec)!, p.GetValue(directory)!));
        return command;
    }

    private static Command ExportFeatures()
    {
        var spec = SpecArgument();
        var manifest = new Argument<string>("manifest") { Description = "The data (CSV, JSON lines, JSON array or LibriSpeech folder), as for train." };
        var output = new Argument<string>("output") { Description = "The .npz to write (features, lengths, label ids) for the exported train.py." };
        var unknown = UnknownOption();
        var map = MapOption();
        var skip = SkipInfeasibleOption();
        var command = new Command("export-features", "Compute a data set's features with the spec's front-end into an .npz that the exported PyTorch trainer reads (docs/training-at-scale.md).")
        {
            spec, manifest, output, unknown, map, skip,
        };
        command.SetAction(p => ExportFeaturesCommand.Run(p.GetValue(spec)!, p.GetValue(manifest)!, p.GetValue(output)!, p.GetValue(unknown), p.GetValue(map), p.GetValue(skip)));
        return command;
    }
}
