using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Export;
using CtcDsl.Tests.Generator;
using CtcDsl.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CtcDsl.Tests.Export;

/// <summary>
/// Every example spec exported to ONNX and run in ONNX Runtime: logits within 1e-4 of TorchSharp's
/// (weights and statistics at random), a padded batch equal to each utterance alone, the same
/// transcripts with the spec's decoder and greedy, the metadata complete, and ONNX's own checker content.
/// </summary>
public class OnnxExportTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Specs() => GeneratorSnapshotTests.Specs();

    /// <summary>
    /// The example specs and the attention test specs beside this file (Transformer pre- and post-norm,
    /// absolute and relative positions, conv2d ×2 and ×8, a layer-norm Conformer), as paths from specs/.
    /// </summary>
    public static IEnumerable<object[]> ParitySpecs() => Specs().Concat(
        Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "CtcDsl.Tests", "Export", "Specs"), "*.ctc.yaml").OrderBy(p => p)
            .Select(p => new object[] { Path.GetRelativePath(RepositoryPaths.Specs, p) }));

    /// <summary>Feature frames per logit frame of each spec (the product of its strides).</summary>
    private static readonly Dictionary<string, int> Subsampling = new()
    {
        ["deepspeech2.ctc.yaml"] = 2, ["synthetic.ctc.yaml"] = 2, ["conformer-ctc.ctc.yaml"] = 2, ["conformer-ctc-bpe.ctc.yaml"] = 4,
        ["streaming.ctc.yaml"] = 2,
        ["transformer-pre-post.ctc.yaml"] = 2, ["attention-x8.ctc.yaml"] = 8,
    };

    [Theory]
    [MemberData(nameof(ParitySpecs))]
    public void Onnx_runtime_computes_what_torchsharp_computes(string spec)
    {
        using var parity = new OnnxParity(spec);
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);

        var torch = parity.TorchLogits();
        using var batched = parity.Load(path);
        using var alone = parity.Load(path, batchSize: 1);
        var onnxBatch = batched.Logits(parity.Features);
        var onnxAlone = alone.Logits(parity.Features);
        var toTorch = torch.Zip(onnxBatch, OnnxParity.MaxDifference).Max();
        var batchToAlone = onnxBatch.Zip(onnxAlone, OnnxParity.MaxDifference).Max();
        output.WriteLine($"{spec}: max |ONNX Runtime − TorchSharp| = {toTorch:E2}, max |padded batch − alone| = {batchToAlone:E2}");
        Assert.True(toTorch < 1e-4, $"{spec}: logits differ from TorchSharp's by {toTorch:E2}");
        Assert.True(batchToAlone < 1e-5, $"{spec}: a padded batch differs from the utterances alone by {batchToAlone:E2}");

        var greedy = new GreedyCtcDecoder(parity.Generated.Vocabulary.BlankIndex);
        Assert.Equal(parity.Generated.Transcribe(parity.Model, parity.Features), batched.Transcribe(parity.Features));
        Assert.Equal(parity.Generated.Transcribe(parity.Model, parity.Features, greedy), batched.Transcribe(parity.Features, greedy));
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void A_briefly_trained_model_transcribes_the_same_with_the_onnx_file_alone(string spec)
    {
        using var parity = new OnnxParity(spec);
        var generated = parity.Generated;
        TorchSharp.torch.manual_seed(0);
        using var model = generated.Create();
        if (model.GetType().GetProperty("FrontEnd")?.GetValue(model) is CtcDsl.Runtime.Audio.FrontEnd { Settings.Normalization: CtcDsl.Runtime.Audio.FeatureNormalizationMode.Global } frontEnd)
            frontEnd.Statistics = new CtcDsl.Runtime.Audio.FeatureStatistics(new float[generated.FeatureSize], Enumerable.Repeat(1f, generated.FeatureSize).ToArray());
        // A constant rate: DeepSpeech2's 100 warm-up steps would outlast so short a run. The seed spec's plain
        // SGD at the article's 0.005 needs far more epochs before it emits anything but blanks.
        var epochs = spec == "ldc93s1.ctc.yaml" ? 300 : 30;
        generated.Fit(model, generated.Examples(24), null, generated.DefaultFitOptions with { Epochs = epochs, BatchSize = 8, Progress = null, Schedule = null });
        var path = Path.Combine(parity.Directory, "trained.onnx");
        generated.Invoke(model, "ExportOnnx", path);

        // Held-out renderings of the letters it trained on: its test set.
        var letters = generated.Letters;
        var heldOut = Enumerable.Range(0, 6).Select(i => generated.Render(new string(new[] { letters[i % letters.Length], letters[(i + 3) % letters.Length] }) + " " + letters[(i + 5) % letters.Length])).ToList();
        var torch = generated.Transcribe(model, heldOut);
        using var recognizer = parity.Load(path);
        var onnx = recognizer.Transcribe(heldOut);
        output.WriteLine($"{spec}: {string.Join(" | ", torch)}");
        Assert.Contains(torch, t => t.Length > 0); // it learned something: the comparison is not between empty strings
        Assert.Equal(torch, onnx);
    }

    [Theory]
    [MemberData(nameof(ParitySpecs))]
    public void Generated_export_writes_the_hand_wired_model(string spec)
    {
        using var parity = new OnnxParity(spec);
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);
        Assert.Equal(HandWiredExport.Model(spec, parity.Model), File.ReadAllBytes(path));
    }

    [Fact]
    public void An_intermediate_ctc_head_is_an_output_too()
    {
        using var parity = new OnnxParity("interctc.ctc.yaml");
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);
        var features = parity.Features[1];
        var (time, width) = (features.GetLength(0), features.GetLength(1));
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(path);
        using var x = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(features.Cast<float>().ToArray(), new long[] { 1, time, width });
        using var lengths = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(new long[] { time }, new long[] { 1 });
        using var run = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var outputs = session.Run(run, new Dictionary<string, Microsoft.ML.OnnxRuntime.OrtValue> { ["features"] = x, ["feature_lengths"] = lengths },
            new[] { "inter_logits", "inter_logits_lengths" });
        var onnx = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(time, outputs[1].GetTensorDataAsSpan<long>()[0]);

        using var scope = TorchSharp.torch.NewDisposeScope();
        using var _ = TorchSharp.torch.no_grad();
        var result = parity.Generated.Invoke(parity.Model, "Run",
            TorchSharp.torch.tensor(features.Cast<float>().ToArray(), new long[] { 1, time, width }), TorchSharp.torch.tensor(new long[] { time }));
        var torch = ((TorchSharp.torch.Tensor)result.GetType().GetProperty("InterLogits")!.GetValue(result)!).contiguous().data<float>().ToArray();
        Assert.Equal(torch.Length, onnx.Length);
        var difference = torch.Zip(onnx, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(difference < 1e-4, $"the intermediate head differs by {difference:E2}");
    }

    [Theory]
    [MemberData(nameof(ParitySpecs))]
    public void Metadata_carries_what_the_recognizer_needs(string spec)
    {
        using var parity = new OnnxParity(spec);
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);
        var expected = HandWiredExport.Info(parity.Model);
        using var recognizer = parity.Load(path);
        var info = recognizer.Info;
        Assert.Equal(expected.ModelName, info.ModelName);
        Assert.Equal(expected.Vocabulary.Tokens, info.Vocabulary.Tokens);
        Assert.Equal(expected.Vocabulary.BlankIndex, info.Vocabulary.BlankIndex);
        Assert.Equal(expected.Vocabulary.WordSeparator, info.Vocabulary.WordSeparator);
        Assert.Equal(expected.Vocabulary.Subwords?.Fingerprint, info.Vocabulary.Subwords?.Fingerprint); // the subword model travels whole
        Assert.Equal(expected.FeatureSize, info.FeatureSize);
        Assert.Equal(Subsampling.GetValueOrDefault(Path.GetFileName(spec), 1), info.Subsampling);
        Assert.Equal(expected.FrontEnd, info.FrontEnd);
        Assert.Equal(expected.Statistics?.Mean, info.Statistics?.Mean);
        Assert.Equal(expected.Statistics?.StandardDeviation, info.Statistics?.StandardDeviation);
        Assert.Equal(expected.Decoder, info.Decoder);
        Assert.Equal(spec == "beam-wer.ctc.yaml" ? "beam" : "greedy", info.Decoder.Kind);
    }

    [SkippableTheory]
    [MemberData(nameof(ParitySpecs))]
    public void Onnx_checker_accepts_the_model(string spec)
    {
        RequireOnnxPackage();
        using var parity = new OnnxParity(spec);
        var path = Path.Combine(parity.Directory, "model.onnx");
        parity.Export(path);
        // full_check runs ONNX's shape inference too: every node's inputs and attributes must agree.
        var (code, text) = Python($"import onnx; m = onnx.load(r'{path}'); onnx.checker.check_model(m, full_check=True); print(m.opset_import[0].version, m.ir_version)");
        Assert.True(code == 0, $"{spec}: ONNX's checker refused the model:\n{text}");
        Assert.Equal($"{OnnxGraph.Opset} {OnnxGraph.IrVersion}", text.Trim());
    }

    internal static void RequireOnnxPackage()
    {
        var available = File.Exists("/usr/bin/python3") && Python("import onnx").Code == 0;
        if (!available && Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_TOOLS") == "1")
            Assert.Fail("CTCDSL_REQUIRE_TOOLS=1 but /usr/bin/python3 cannot import onnx (apt-get install python3-onnx).");
        Skip.IfNot(available, "ONNX for /usr/bin/python3 is not installed (apt-get install python3-onnx).");
    }

    internal static (int Code, string Text) Python(string code)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(code);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, text + error.Result);
    }
}
