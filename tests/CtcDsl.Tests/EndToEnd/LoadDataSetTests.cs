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

    [Fact]
    public void Streamed_from_disk_the_examples_hold_no_features_and_train_like_the_ones_in_memory()
    {
        Wave("a.wav", 1.0, 16000);
        Wave("b.wav", 1.3, 44100);
        Wave("c.wav", 0.8, 8000);
        var manifest = Path.Combine(directory, "train.csv");
        File.WriteAllText(manifest, "wav_filename,wav_filesize,transcript\na.wav,0,hello world\nb.wav,0,dark suit\nc.wav,0,greasy\n");
        var cache = Path.Combine(directory, "cache");
        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var inMemory = model.LoadDataSet(manifest);
        var streamed = model.LoadDataSet(manifest, new DataSetOptions { CacheDirectory = cache, StreamFromDisk = true });

        Assert.Equal(3, streamed.Examples.Count);
        Assert.All(streamed.Examples, e => Assert.True(e.IsStreamed));
        Assert.All(inMemory.Examples, e => Assert.False(e.IsStreamed));
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(inMemory.Examples[i].Frames, streamed.Examples[i].Frames);
            Assert.Equal(inMemory.Examples[i].Features, streamed.Examples[i].Features);
            Assert.Equal(inMemory.Examples[i].Labels, streamed.Examples[i].Labels);
        }
        // Read on every use, never kept: each read is a fresh array.
        Assert.NotSame(streamed.Examples[0].Features, streamed.Examples[0].Features);

        // A cache entry damaged after loading is computed again from the audio, not trusted.
        var entry = Directory.GetFiles(cache, "*.f32", SearchOption.AllDirectories)[0];
        var bytes = File.ReadAllBytes(entry);
        bytes[40] ^= 0xFF;
        File.WriteAllBytes(entry, bytes);
        Assert.Equal(inMemory.Examples.Select(e => e.Features), streamed.Examples.Select(e => e.Features));

        // Training on streamed examples gives the history training on the same examples in memory gives.
        var options = Ldc93s1Model.DefaultFitOptions with { Epochs = 2, BatchSize = 2, Progress = null, BucketByLength = true };
        using var first = new Ldc93s1Model(TorchSharp.torch.CPU);
        using var second = new Ldc93s1Model(TorchSharp.torch.CPU);
        second.load_state_dict(first.state_dict());
        var fromMemory = first.Fit(inMemory.Examples, null, options);
        var fromDisk = second.Fit(streamed.Examples, null, options);
        Assert.Equal(fromMemory.Epochs.Select(e => e.Loss), fromDisk.Epochs.Select(e => e.Loss));

        // Streaming needs somewhere to stream from.
        Assert.Throws<ArgumentException>(() => model.LoadDataSet(manifest, new DataSetOptions { StreamFromDisk = true }));
    }
}
