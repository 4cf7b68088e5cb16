using System;
using System.Globalization;
using System.Linq;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary>Command line of the sample.</summary>
public sealed record SampleArguments(string? DataDirectory, int Seed, int Epochs, string? Device, int[]? SweepSeeds, string? CheckpointDirectory, string? Resume, string? Evaluate, bool Synthetic, int SyntheticEpochs)
{
    /// <summary>A manifest to train the seed spec on instead of LDC93S1 (DeepSpeech CSV, JSON lines or NeMo JSON, Common Voice TSV, a Kaldi data folder or a LibriSpeech folder).</summary>
    public string? TrainManifest { get; init; }

    /// <summary>libtorch's intra-op threads (null: CTCDSL_THREADS, else CtcDsl's choice for the model, see ThreadPlan).</summary>
    public int? Threads { get; init; }

    /// <summary>A recording to transcribe with <see cref="Checkpoint"/> (any length; WAV, FLAC or MP3).</summary>
    public string? Transcribe { get; init; }

    /// <summary>Where to write the model of <see cref="Checkpoint"/> as ONNX (transcribe it with samples/OnnxTranscribe).</summary>
    public string? ExportOnnx { get; init; }

    /// <summary>The trained model's checkpoint for <see cref="Transcribe"/> and <see cref="ExportOnnx"/>.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Where to write subtitles (.srt or .vtt) of a transcription or of the seed run's alignment.</summary>
    public string? SubtitlesPath { get; init; }

    /// <summary>Train on the built-in word grammar and compare decoders (greedy, beam, beam + LM, beam + LM + lexicon).</summary>
    public bool Grammar { get; init; }

    /// <summary>An ARPA language model for <see cref="Grammar"/> (default: Kneser-Ney built from the training transcripts).</summary>
    public string? LanguageModel { get; init; }

    /// <summary>A lexicon file for <see cref="Grammar"/> (default: the training transcripts' words).</summary>
    public string? Lexicon { get; init; }

    /// <summary>The language model's weight (with <see cref="LanguageModel"/>).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>The word bonus (with <see cref="LanguageModel"/>).</summary>
    public double Beta { get; init; } = 1.0;

    /// <summary>A manifest to validate on (with <see cref="TrainManifest"/>).</summary>
    public string? ValidManifest { get; init; }

    public const int DefaultSeed = 7;

    public static SampleArguments? Parse(string[] args)
    {
        string? directory = null, device = null, checkpoints = null, resume = null, evaluate = null, train = null, valid = null;
        string? transcribe = null, checkpoint = null, subtitles = null, lm = null, lexicon = null, exportOnnx = null;
        var grammar = false;
        double alpha = 0.5, beta = 1.0;
        int seed = DefaultSeed, epochs = 400;
        int? threads = null;
        int? syntheticEpochs = null;
        var synthetic = false;
        int[]? sweep = null;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--seed": seed = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--epochs": epochs = int.Parse(args[++i], CultureInfo.InvariantCulture); syntheticEpochs = epochs; break;
                    case "--device": device = args[++i]; break;
                    case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--checkpoints": checkpoints = args[++i]; break;
                    case "--resume": resume = args[++i]; break;
                    case "--evaluate": evaluate = args[++i]; break;
                    case "--synthetic": synthetic = true; break;
                    case "--train": train = args[++i]; break;
                    case "--valid": valid = args[++i]; break;
                    case "--transcribe": transcribe = args[++i]; break;
                    case "--checkpoint": checkpoint = args[++i]; break;
                    case "--export-onnx": exportOnnx = args[++i]; break;
                    case "--subtitles": subtitles = args[++i]; break;
                    case "--grammar": grammar = true; synthetic = true; break;
                    case "--lm": lm = args[++i]; break;
                    case "--lexicon": lexicon = args[++i]; break;
                    case "--alpha": alpha = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--beta": beta = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                    case "--sweep":
                        var range = args[++i].Split('-');
                        var first = int.Parse(range[0], CultureInfo.InvariantCulture);
                        var last = int.Parse(range[^1], CultureInfo.InvariantCulture);
                        sweep = Enumerable.Range(first, last - first + 1).ToArray();
                        break;
                    case "-h":
                    case "--help":
                        Usage();
                        return null;
                    default:
                        if (args[i].StartsWith("-", StringComparison.Ordinal) || directory is not null) throw new FormatException($"unexpected argument '{args[i]}'");
                        directory = args[i];
                        break;
                }
            }
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or OverflowException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Usage();
            return null;
        }
        if (epochs < 1)
        {
            Console.Error.WriteLine("error: --epochs must be at least 1");
            return null;
        }
        if (threads is < 1)
        {
            Console.Error.WriteLine("error: --threads must be at least 1");
            return null;
        }
        if (transcribe is not null && checkpoint is null)
        {
            Console.Error.WriteLine("error: --transcribe needs --checkpoint (a trained model's, e.g. runs/ldc93s1-seed7/best.ckpt)");
            return null;
        }
        if (exportOnnx is not null && checkpoint is null)
        {
            Console.Error.WriteLine("error: --export-onnx needs --checkpoint (a trained model's, e.g. runs/ldc93s1-seed7/best.ckpt)");
            return null;
        }
        if ((lm is not null || lexicon is not null) && !grammar && evaluate is null && train is null)
        {
            Console.Error.WriteLine("error: --lm and --lexicon go with --evaluate, --train or --grammar");
            return null;
        }
        if (valid is not null && train is null)
        {
            Console.Error.WriteLine("error: --valid needs --train");
            return null;
        }
        return new SampleArguments(directory, seed, epochs, device, sweep, checkpoints, resume, evaluate, synthetic, syntheticEpochs ?? 20)
        {
            TrainManifest = train,
            ValidManifest = valid,
            Transcribe = transcribe,
            Checkpoint = checkpoint,
            ExportOnnx = exportOnnx,
            SubtitlesPath = subtitles,
            Grammar = grammar,
            LanguageModel = lm,
            Lexicon = lexicon,
            Alpha = alpha,
            Beta = beta,
            Threads = threads,
        };
    }

    private static void Usage() => Console.Error.WriteLine(
        "usage: Ldc93s1 [data-dir] [--seed N] [--epochs N] [--device cpu|cuda|auto] [--threads N] [--checkpoints DIR] [--resume CKPT]\n" +
        "       Ldc93s1 [data-dir] --evaluate CKPT\n" +
        "       Ldc93s1 [data-dir] --sweep FIRST-LAST [--epochs N]\n" +
        "       Ldc93s1 --synthetic [--epochs N]   (also the default when no LDC93S1 data is given or found)\n" +
        "       Ldc93s1 --train MANIFEST [--valid MANIFEST] [--epochs N] [--checkpoints DIR] [--resume CKPT]\n" +
        "       Ldc93s1 --transcribe AUDIO --checkpoint CKPT [--subtitles OUT.srt|OUT.vtt]\n" +
        "       Ldc93s1 --export-onnx OUT.onnx --checkpoint CKPT   (then: dotnet run --project samples/OnnxTranscribe -- OUT.onnx AUDIO)\n" +
        "       Ldc93s1 --grammar [--epochs N] [--lm LM.arpa] [--lexicon WORDS.txt]\n" +
        "  data-dir       folder with LDC93S1.wav and LDC93S1.txt (default: ../shared/data/ldc93s1 when found)\n" +
        "  --threads      libtorch CPU threads (default: CTCDSL_THREADS, else as many as the model trains fastest with, docs/cpu-threads.md)\n" +
        "  --checkpoints  where last.ckpt, best.ckpt and history.{csv,json,png} go (default: runs/ldc93s1-seedN; with --train runs/manifest-seedN)\n" +
        "  --resume       continue training from a checkpoint (Ctrl+C stops after the current step)\n" +
        "  --evaluate     decode the utterances with a checkpoint and report LER/CER/WER\n" +
        "  --sweep        train each seed in the range and report which decode both utterances exactly\n" +
        "  --train        train the seed spec on a manifest (DeepSpeech .csv, .jsonl/NeMo .json, Common Voice .tsv, a Kaldi or LibriSpeech folder; WAV, FLAC or MP3 at any rate)\n" +
        "  --transcribe   transcribe a recording of any length in windows, with word timings (the checkpoint of a seed or --synthetic run)\n" +
        "  --grammar      train on the built-in word grammar and compare greedy, beam, beam + LM, beam + LM + lexicon (WER)\n" +
        "  --lm, --lexicon  an ARPA model and a word list to decode --evaluate and --train reports with (a fused beam search;\n" +
        "                 --alpha A --beta B, default 0.5 and 1), or for --grammar instead of the ones built from its transcripts\n" +
        "  --subtitles    write subtitles (.srt SubRip or .vtt WebVTT) of --transcribe, or of the seed run's forced alignment");
}
