using System;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Tests.Support;
using TorchSharp;
using Xunit;

namespace CtcDsl.Tests.Tool;

/// <summary>
/// The ctcdsl tool as a user meets it: every command's help, one-line errors, the data check, a run
/// folder per run, resume, transcription with honest warnings, and checkpoints that move between the
/// tool and a project that generates the same spec (the sample's SyntheticModel).
/// </summary>
public sealed class ToolCommandTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-tool-").FullName;

    private static string Spec => Path.Combine(RepositoryPaths.Specs, "synthetic.ctc.yaml");

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Theory]
    [InlineData("train", "<spec> <manifest>")]
    [InlineData("check", "<spec> <manifest>...")]
    [InlineData("evaluate", "<spec> <checkpoint> <manifest>")]
    [InlineData("transcribe", "<spec> <checkpoint> <audio>...")]
    [InlineData("align", "<spec> <checkpoint> <audio> <transcript>")]
    [InlineData("demo-data", "<directory>")]
    [InlineData("export-pytorch", "<spec> <directory>")]
    [InlineData("export-features", "<spec> <manifest> <output>")]
    public void Every_command_has_help_and_names_its_missing_arguments_on_one_line(string command, string arguments)
    {
        var (code, help) = ToolProcess.Run(directory, command, "--help");
        Assert.Equal(0, code);
        Assert.Contains($"ctcdsl {command}", help);
        Assert.Contains("Options:", help);

        (code, var output) = ToolProcess.Run(directory, command);
        Assert.Equal(2, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains($"usage: ctcdsl {command} {arguments}", output);
        Assert.DoesNotContain("Options:", output); // no wall of help after a mistake
    }

    [Fact]
    public void Root_help_lists_the_commands_and_an_unknown_command_is_an_error_line()
    {
        var (code, help) = ToolProcess.Run(directory, "--help");
        Assert.Equal(0, code);
        foreach (var command in new[] { "train", "check", "evaluate", "transcribe", "align", "demo-data", "export-pytorch", "export-features" }) Assert.Contains(command, help);
        (code, var output) = ToolProcess.Run(directory, "trian");
        Assert.Equal(2, code);
        Assert.Contains("error: Unrecognized command or argument 'trian'", output);
    }

    [Fact]
    public void A_spec_error_prints_the_generators_diagnostic_at_the_yaml_line()
    {
        var spec = Path.Combine(directory, "bad.ctc.yaml");
        var yaml = File.ReadAllText(Spec).Replace("type: gru", "type: gruu", StringComparison.Ordinal);
        File.WriteAllText(spec, yaml);
        var line = Array.FindIndex(yaml.Split('\n'), l => l.Contains("type: gruu", StringComparison.Ordinal)) + 1;
        var (code, output) = ToolProcess.Run(directory, "check", spec, "missing.csv");
        Assert.Equal(1, code);
        Assert.Contains($"error: {spec}: the spec has 1 error(s)", output);
        Assert.Matches($@"bad\.ctc\.yaml\({line},\d+\): error CTC\d{{4}}: .*gruu", output);
    }

    [Fact]
    public void Export_pytorch_writes_the_package_or_names_what_it_lacks_and_writes_nothing()
    {
        // synthetic.ctc.yaml normalises globally: statistics a PyTorch state dict cannot carry (CTC0029).
        var (code, output) = ToolProcess.Run(directory, "export-pytorch", Spec, "refused");
        Assert.Equal(1, code);
        Assert.Matches(@"synthetic\.ctc\.yaml\(\d+,\d+\): error CTC0029: .*features\.normalize: global", output);
        Assert.False(Directory.Exists(Path.Combine(directory, "refused")));

        var seed = Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml");
        (code, output) = ToolProcess.Run(directory, "export-pytorch", seed, "package");
        Assert.True(code == 0, output);
        Assert.Equal(new[] { "__init__.py", "ctcdsl_nn.py", "model.py", "spec.json", "train.py" },
            Directory.GetFiles(Path.Combine(directory, "package")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Check_lists_every_unknown_character_with_counts_and_lines_and_the_policies_fix_it()
    {
        var data = DemoData(6);
        var manifest = Path.Combine(data, "train.csv");
        var lines = File.ReadAllLines(manifest);
        lines[2] = lines[2] + ", really?";   // line 3: ',' '?'
        lines[2] = Quote(lines[2]);
        lines[4] = lines[4] + " 42 - 7";      // line 5: digits and a dash
        lines[5] = lines[5][..(lines[5].LastIndexOf(',') + 1)]; // line 6: empty transcript
        File.WriteAllLines(manifest, lines);

        var (code, output) = ToolProcess.Run(directory, "check", Spec, manifest);
        Assert.Equal(1, code);
        Assert.Contains("'?' U+003F: 1 time(s) in 1 utterance(s), e.g. " + manifest + " line 3", output);
        Assert.Contains("',' U+002C: 1 time(s) in 1 utterance(s), e.g. " + manifest + " line 3", output);
        Assert.Contains("'4' U+0034", output);
        Assert.Contains("'-' U+002D", output);
        Assert.Contains("--unknown-characters drop", output);
        Assert.Contains("unknown_characters", output);
        Assert.Contains("1 empty transcript(s)", output);
        Assert.Contains("error: ", output);

        (code, output) = ToolProcess.Run(directory, "check", Spec, manifest, "--unknown-characters", "drop");
        Assert.True(code == 0, output);
        Assert.Contains("(dropped)", output);

        var map = Path.Combine(directory, "map.txt");
        File.WriteAllLines(map, new[] { "# punctuation goes, digits are spoken", ",=", "?=", "-= ", "4=four", "2=two", "7=seven" });
        (code, output) = ToolProcess.Run(directory, "check", Spec, manifest, "--map", map);
        Assert.True(code == 0, output);
        Assert.Contains("'4' x1 -> \"four\"", output);

        // Training without the check meets the runtime's own error, which names both ways out.
        (code, output) = ToolProcess.Run(directory, "train", Spec, manifest, "--no-check", "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("vocabulary.unknown_characters", output);
        Assert.Contains("--unknown-characters", output);
    }

    [Fact]
    public void Check_names_unreadable_audio_and_labels_that_cannot_fit_their_frames()
    {
        var data = DemoData(4);
        var manifest = Path.Combine(data, "train.csv");
        var lines = File.ReadAllLines(manifest);
        lines[1] = "wav/missing.wav,0,the dark boy";                                  // line 2
        File.WriteAllBytes(Path.Combine(data, "wav", "noise.wav"), new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        lines[2] = "wav/noise.wav,8,the dark boy";                                     // line 3
        var longText = string.Join(" ", Enumerable.Repeat("the quick fox saw a green boat near the old mill", 20));
        lines[3] = lines[3][..(lines[3].LastIndexOf(',') + 1)] + longText;            // line 4: far more labels than frames
        File.WriteAllLines(manifest, lines);

        var (code, output) = ToolProcess.Run(directory, "check", Spec, manifest);
        Assert.Equal(1, code);
        Assert.Contains("2 unreadable audio file(s)", output);
        Assert.Contains(manifest + " line 2: ", output);
        Assert.Contains(manifest + " line 3: ", output);
        Assert.Contains("1 utterance(s) whose labels cannot fit their frames", output);
        Assert.Matches(@"line 4: \d+ labels need \d+ output frames, [\d.]+ s of audio gives \d+", output);
        Assert.Contains("sample rates: 16000 Hz x2", output);

        (code, output) = ToolProcess.Run(directory, "check", Spec, manifest, "--skip-infeasible");
        Assert.Equal(1, code); // the unreadable files still stop training
        Assert.Contains("(skipped by training)", output);
        Assert.Contains("2 problem(s) stop training", output);
    }

    [SkippableFact]
    public void Device_cuda_without_cuda_is_one_error_line()
    {
        Skip.If(torch.cuda.is_available(), "this machine has CUDA");
        var data = DemoData(2);
        var (code, output) = ToolProcess.Run(directory, "train", Spec, Path.Combine(data, "train.csv"), "--device", "cuda");
        Assert.Equal(1, code);
        var errors = output.Split('\n').Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();
        Assert.Single(errors);
        Assert.Contains("no CUDA device is available", errors[0]);
        Assert.DoesNotContain("   at ", output); // no stack trace
    }

    [Fact]
    public void Train_makes_a_new_run_folder_each_time_resumes_and_its_checkpoint_moves_to_and_from_a_project()
    {
        var data = DemoData(8);
        var train = Path.Combine(data, "train.csv");
        var valid = Path.Combine(data, "dev.csv");
        var (code, output) = ToolProcess.Run(directory, "train", Spec, train, "--valid", valid, "--epochs", "1", "--batch-size", "4");
        Assert.True(code == 0, output);
        var run1 = Path.Combine(directory, "runs", "synthetic-1");
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("Run folder: " + run1, StringComparison.Ordinal))); // at the start and at the end
        Assert.True(File.Exists(Path.Combine(run1, "last.ckpt")));
        Assert.Contains("(run: 1/1 epochs, done in", output);
        Assert.True(File.Exists(Path.Combine(run1, "history.png")));
        // One epoch on eight sentences learns nothing, and the tool says so.
        Assert.Contains("the model has not learned to transcribe yet", output);

        (code, output) = ToolProcess.Run(directory, "train", Spec, train, "--epochs", "1", "--batch-size", "4");
        Assert.True(code == 0, output);
        Assert.Contains("Run folder: " + Path.Combine(directory, "runs", "synthetic-2"), output);
        Assert.True(File.Exists(Path.Combine(run1, "last.ckpt")), "the first run is untouched");

        (code, output) = ToolProcess.Run(directory, "train", Spec, train, "--epochs", "2", "--batch-size", "4", "--resume", "runs/synthetic-1");
        Assert.True(code == 0, output);
        Assert.Contains("Resuming", output);
        Assert.Contains("Epoch 2/2", output);
        Assert.DoesNotContain("Epoch 1/2", output);

        // The tool's checkpoint loads into the model a project generates from the same spec, and back.
        var moved = Path.Combine(directory, "from-project.ckpt");
        using (var model = new SyntheticModel(torch.CPU))
        {
            model.LoadCheckpoint(Path.Combine(run1, "last.ckpt"));
            Assert.NotNull(model.FrontEnd.Statistics); // the front-end's statistics came with it
            model.SaveCheckpoint(moved);
        }
        (code, output) = ToolProcess.Run(directory, "evaluate", Spec, moved, valid);
        Assert.True(code == 0, output);
        Assert.Contains("CER", output);

        // An empty transcript is said, and no empty subtitle file is written.
        var wav = Directory.GetFiles(Path.Combine(data, "wav"), "dev-*.wav")[0];
        (code, output) = ToolProcess.Run(directory, "transcribe", Spec, "runs/synthetic-2", wav, "--subtitles", "out.srt");
        Assert.True(code == 0, output);
        if (output.Contains("is empty", StringComparison.Ordinal))
        {
            Assert.Contains("no subtitles written to out.srt", output);
            Assert.False(File.Exists(Path.Combine(directory, "out.srt")));
        }
        else Assert.True(new FileInfo(Path.Combine(directory, "out.srt")).Length > 0);

        (code, output) = ToolProcess.Run(directory, "align", Spec, "runs/synthetic-1", wav, File.ReadAllLines(valid)[1].Split(',')[2], "--subtitles", "aligned.vtt");
        Assert.True(code == 0, output);
        Assert.StartsWith("WEBVTT", File.ReadAllText(Path.Combine(directory, "aligned.vtt")));

        (code, output) = ToolProcess.Run(directory, "transcribe", Spec, "runs/none", wav);
        Assert.Equal(1, code);
        Assert.Contains("error: runs/none: no such checkpoint file or run folder.", output);
    }

    [Fact]
    public void A_warmup_longer_than_a_short_run_is_refused_before_training_and_warmup_steps_shortens_it()
    {
        // conformer-ctc declares 100 warm-up steps; 8 utterances in batches of 4 for one epoch make 2.
        var spec = Path.Combine(RepositoryPaths.Specs, "conformer-ctc.ctc.yaml");
        var train = Path.Combine(DemoData(8), "train.csv");
        var (code, output) = ToolProcess.Run(directory, "train", spec, train, "--epochs", "1", "--batch-size", "4");
        Assert.Equal(1, code);
        var error = Assert.Single(output.Split('\n'), l => l.StartsWith("error:", StringComparison.Ordinal));
        Assert.Contains("lasts 100 optimisation steps", error);
        Assert.Contains("1 epoch × 2 batches per epoch = 2 steps", error);
        Assert.Contains("--warmup-steps", error);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(Path.Combine(directory, "runs", "conformer-ctc-1")), "nothing was trained, and no empty run folder is left");

        (code, output) = ToolProcess.Run(directory, "train", spec, train, "--epochs", "1", "--batch-size", "4", "--warmup-steps", "1");
        Assert.True(code == 0, output);
        Assert.Contains("(run: 1/1 epochs, done in", output);
        Assert.True(File.Exists(Path.Combine(directory, "runs", "conformer-ctc-1", "last.ckpt")), "the run that trained took the first number");

        (code, output) = ToolProcess.Run(directory, "train", spec, train, "--warmup-steps", "-1");
        Assert.Equal(2, code); // a command-line mistake
        Assert.Contains("--warmup-steps must be 0 or more.", output);
    }

    [Fact]
    public void A_subword_spec_trains_its_pieces_from_the_training_manifest_and_later_commands_read_them_from_the_checkpoint()
    {
        var data = DemoData(24);
        var train = Path.Combine(data, "train.csv");
        var spec = Path.Combine(directory, "subwords.ctc.yaml");
        var yaml = File.ReadAllText(Spec);
        Assert.Contains("  tokens: \" abcdefghijklmnopqrstuvwxyz'\"", yaml);
        File.WriteAllText(spec, yaml.Replace("name: Synthetic", "name: Subwords").Replace("  tokens: \" abcdefghijklmnopqrstuvwxyz'\"", "  type: bpe\n  size: 40"));

        var (code, output) = ToolProcess.Run(directory, "check", spec, train);
        Assert.True(code == 0, output);
        var bound = Assert.Single(output.Split('\n'), l => l.StartsWith("Subword vocabulary: bpe, 40 pieces (sha256 ", StringComparison.Ordinal));
        Assert.EndsWith($"trained on {train}'s transcripts.", bound.TrimEnd());
        var fingerprint = bound.Split("sha256 ")[1][..12];

        (code, output) = ToolProcess.Run(directory, "train", spec, train, "--epochs", "1", "--batch-size", "4");
        Assert.True(code == 0, output);
        Assert.Contains($"Subword vocabulary: bpe, 40 pieces (sha256 {fingerprint}), trained on", output); // deterministic: the same pieces as check's

        (code, output) = ToolProcess.Run(directory, "train", spec, train, "--epochs", "2", "--batch-size", "4", "--resume", "runs/subwords-1");
        Assert.True(code == 0, output);
        Assert.Contains($"Subword vocabulary: bpe, 40 pieces (sha256 {fingerprint}), saved with the checkpoint.", output);

        var wav = Directory.GetFiles(Path.Combine(data, "wav"), "dev-*.wav")[0];
        (code, output) = ToolProcess.Run(directory, "transcribe", spec, "runs/subwords-1", wav);
        Assert.True(code == 0, output);
        (code, output) = ToolProcess.Run(directory, "evaluate", spec, "runs/subwords-1", Path.Combine(data, "dev.csv"));
        Assert.True(code == 0, output);
        Assert.Contains("CER", output);

        // The PyTorch trainer reads no subword pieces yet (CTC0029 in export-pytorch): refused in one line.
        (code, output) = ToolProcess.Run(directory, "export-features", spec, train, "features.npz");
        Assert.Equal(1, code);
        Assert.Contains("subword", output);
        Assert.DoesNotContain("   at ", output);
    }

    private string DemoData(int count)
    {
        var (code, output) = ToolProcess.Run(directory, "demo-data", "data", "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(code == 0, output);
        return Path.Combine(directory, "data");
    }

    private static string Quote(string csvLine)
    {
        var comma = csvLine.IndexOf(',', csvLine.IndexOf(',') + 1);
        return csvLine[..(comma + 1)] + "\"" + csvLine[(comma + 1)..] + "\"";
    }
}
