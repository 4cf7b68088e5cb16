using System;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using NWaves.Audio;
using NWaves.Signals;
using Xunit;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>A generated model's one way from a manifest to examples: audio at any rate, the spec's front-end and transcript policy.</summary>
public sealed class LoadDataSetTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-dataset-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private void Wave(string name, double seconds, int rate)
    {
        var samples = Enumerable.Range(0, (int)(seconds * rate)).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 300 * i / rate) + 0.1 * Math.Sin(i * 0.37))).ToArray();
        using var file = File.Create(Path.Combine(directory, name));
        new WaveFile(new DiscreteSignal(rate, samples), 16).SaveTo(file);
    }

    [Fact]
    public void A_manifest_of_audio_at_several_rates_becomes_examples_through_the_spec_front_end()
    {
        Wave("a.wav", 1.0, 16000);
        Wave("b.wav", 1.0, 44100);
        Wave("c.wav", 1.0, 8000);
        var manifest = Path.Combine(directory, "train.csv");
        File.WriteAllText(manifest, "wav_filename,wav_filesize,transcript\na.wav,0,Hello  World\nb.wav,0,\"dark suit\"\nc.wav,0,greasy\n");

        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var cache = Path.Combine(directory, "cache");
        var set = model.LoadDataSet(manifest, new DataSetOptions { CacheDirectory = cache, Infeasible = InfeasiblePolicy.Error });

        Assert.Equal(3, set.Examples.Count);
        Assert.Empty(set.Skipped);
        // One second at every rate is 100 frames of 13 MFCCs at the model's 16 kHz.
        Assert.All(set.Examples, e => Assert.Equal((99, 13), (e.Features.GetLength(0), e.Features.GetLength(1))));
        Assert.Equal("hello world", Ldc93s1Model.Vocabulary.Decode(set.Examples[0].Labels));
        Assert.Contains("train.csv line 3", set.Examples[1].Name);
        Assert.NotEmpty(Directory.GetFiles(cache, "*.f32", SearchOption.AllDirectories));
        // The spec's vocabulary has no comma: the manifest line is named.
        File.WriteAllText(manifest, "wav_filename,wav_filesize,transcript\na.wav,0,fine\nb.wav,0,\"dark, suit\"\n");
        var error = Assert.Throws<DataFileException>(() => model.LoadDataSet(manifest));
        Assert.Contains("train.csv line 3: character ','", error.Message);
    }

    [Fact]
    public void Missing_audio_and_impossible_labels_name_the_manifest_line()
    {
        Wave("short.wav", 0.05, 16000);
        var manifest = Path.Combine(directory, "m.jsonl");
        File.WriteAllText(manifest, "{\"audio\": \"short.wav\", \"text\": \"a much too long transcript\"}\n");
        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var error = Assert.Throws<DataFileException>(() => model.LoadDataSet(manifest));
        Assert.Contains("m.jsonl line 1: 26 labels need", error.Message);
        var skipped = model.LoadDataSet(manifest, new DataSetOptions { Infeasible = InfeasiblePolicy.Skip });
        Assert.Empty(skipped.Examples);
        Assert.Single(skipped.Skipped);

        File.WriteAllText(manifest, "{\"audio\": \"short.wav\", \"text\": \"a\"}\n{\"audio\": \"gone.wav\", \"text\": \"b\"}\n");
        error = Assert.Throws<DataFileException>(() => model.LoadDataSet(manifest));
        Assert.StartsWith($"{manifest} line 2", error.Message);

        File.WriteAllText(manifest, "{\"audio\": \"short.wav\", \"text\": \"a\"}\n{\"audio\": \"short.wav\", \"text\": \"b\"}\n");
        error = Assert.Throws<DataFileException>(() => model.LoadDataSet(manifest));
        Assert.Contains("listed again", error.Message);
    }
}
