using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Onnx;
using CtcDsl.Runtime.Audio;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Export;

/// <summary>An example spec's model with every weight and statistic drawn at random, and what TorchSharp and ONNX Runtime compute with it.</summary>
internal sealed class OnnxParity : IDisposable
{
    /// <summary>Utterance lengths: unequal (a padded batch), odd and even (stride 2), above DeepSpeech2's minimum.</summary>
    public static readonly int[] Lengths = { 101, 164, 233 };

    public OnnxParity(string spec, int seed = 1)
    {
        Generated = new GeneratedModel(spec);
        manual_seed(seed);
        Model = Generated.Create();
        using (no_grad())
        {
            // Random everything, biases and batch-norm statistics included: a gate or a statistic in the
            // wrong place cannot hide behind the initialisers' zeros and ones.
            foreach (var (_, parameter) in Model.named_parameters()) parameter.uniform_(-0.3, 0.3);
            foreach (var (name, buffer) in Model.named_buffers())
                if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 1.5);
                else if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.5, 0.5);
        }
        Model.eval();
        if (Model.GetType().GetProperty("FrontEnd")?.GetValue(Model) is FrontEnd { Settings.Normalization: FeatureNormalizationMode.Global } frontEnd)
            frontEnd.Statistics = new FeatureStatistics(Enumerable.Range(0, Generated.FeatureSize).Select(i => 0.1f * i).ToArray(),
                Enumerable.Range(0, Generated.FeatureSize).Select(i => 1 + 0.05f * i).ToArray());
        var random = new Random(seed);
        Features = Lengths.Select(t =>
        {
            var f = new float[t, Generated.FeatureSize];
            for (var i = 0; i < t; i++)
                for (var c = 0; c < Generated.FeatureSize; c++) f[i, c] = (float)(random.NextDouble() * 2 - 1);
            return f;
        }).ToList();
        Directory = Path.Combine(Path.GetTempPath(), "ctcdsl-onnx-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
    }

    public GeneratedModel Generated { get; }

    public nn.Module Model { get; }

    public IReadOnlyList<float[,]> Features { get; }

    public string Directory { get; }

    /// <summary>TorchSharp's logits of each utterance alone, valid frames only.</summary>
    public float[][,] TorchLogits() => Features.Select(f =>
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (t, width) = (f.GetLength(0), f.GetLength(1));
        var x = tensor(f.Cast<float>().ToArray(), new long[] { 1, t, width });
        var lengths = tensor(new long[] { t });
        var logits = (Tensor)Generated.Invoke(Model, "forward", x, lengths);
        var valid = (int)((Tensor)Generated.Invoke(Model, "OutputLengths", lengths)).item<long>();
        var classes = (int)logits.shape[2];
        var values = logits[0].narrow(0, 0, valid).contiguous().data<float>().ToArray();
        var result = new float[valid, classes];
        Buffer.BlockCopy(values, 0, result, 0, values.Length * sizeof(float));
        return result;
    }).ToArray();

    public static double MaxDifference(float[,] a, float[,] b)
    {
        Assert.Equal(a.GetLength(0), b.GetLength(0));
        Assert.Equal(a.GetLength(1), b.GetLength(1));
        double max = 0;
        for (var t = 0; t < a.GetLength(0); t++)
            for (var c = 0; c < a.GetLength(1); c++) max = Math.Max(max, Math.Abs(a[t, c] - b[t, c]));
        return max;
    }

    /// <summary>The generated <c>ExportOnnx</c>.</summary>
    public void Export(string path) => Generated.Invoke(Model, "ExportOnnx", path);

    public OnnxRecognizer Load(string path, int batchSize = 16) => OnnxRecognizer.Load(path, new OnnxRecognizerOptions { Threads = 1, BatchSize = batchSize });

    public void Dispose()
    {
        Model.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
