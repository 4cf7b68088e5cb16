using System;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Runtime;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// The corpora users have, in their real layouts and formats, through a generated model's
/// <c>LoadDataSet</c>: LibriSpeech's FLAC folders, Common Voice's MP3 clips and TSV, NeMo manifests
/// with segments of a long recording, Kaldi data folders with <c>segments</c> of FLAC recordings.
/// Each must give the features the same audio gives as plain one-utterance WAV files.
/// </summary>
public sealed class CorpusLayoutTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-corpora-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static readonly string[] Texts = { "she had your dark suit", "in greasy wash water", "all year" };

    /// <summary>Utterance <paramref name="index"/>: a second and a bit of 16 kHz 16-bit audio of its own.</summary>
    private static System.Collections.Generic.List<long>[] Utterance(int index) =>
        FlacTests.Signal(new FlacTests.Case($"utterance {index}", 16000, 1, 16, 16000 + 2400 * index, "speech", Array.Empty<string>()));

    private string Wav(string relative, System.Collections.Generic.List<long>[] samples)
    {
        var path = Path.Combine(directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return FlacTests.WriteWav(path, samples, 16000, 16);
    }

    /// <summary>The features of every utterance read from plain WAV files through a DeepSpeech CSV: what every layout must match.</summary>
    private float[][,] Reference(Ldc93s1Model model)
    {
        var lines = Enumerable.Range(0, Texts.Length).Select(i => $"{Wav($"plain/{i}.wav", Utterance(i))},0,{Texts[i]}");
        var manifest = Path.Combine(directory, "plain.csv");
        File.WriteAllLines(manifest, lines.Prepend("wav_filename,wav_filesize,transcript"));
        return model.LoadDataSet(manifest).Examples.Select(e => e.Features).ToArray();
    }

    private static void AssertSameFeatures(float[][,] expected, DataSet<Ldc93s1Example> actual, double meanTolerance = 0)
    {
        Assert.Equal(expected.Length, actual.Examples.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(Texts[i].Replace(" ", " "), Ldc93s1Model.Vocabulary.Decode(actual.Examples[i].Labels));
            var features = actual.Examples[i].Features;
            Assert.Equal((expected[i].GetLength(0), expected[i].GetLength(1)), (features.GetLength(0), features.GetLength(1)));
            var differences = expected[i].Cast<float>().Zip(features.Cast<float>(), (a, b) => Math.Abs(a - b)).ToArray();
            Console.WriteLine($"utterance {i}: features differ by {differences.Average():0.####} on average, {differences.Max():0.####} at most");
            Assert.True(differences.Average() <= meanTolerance, $"utterance {i}: features differ by {differences.Average()} on average, {differences.Max()} at most");
        }
    }

    [SkippableFact]
    public void LibriSpeech_folders_of_flac_read_directly()
    {
        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var expected = Reference(model);
        var chapter = Path.Combine(directory, "LibriSpeech", "train-clean-5", "19", "198");
        Directory.CreateDirectory(chapter);
        for (var i = 0; i < Texts.Length; i++)
        {
            var wav = Wav($"tmp/{i}.wav", Utterance(i));
            ExternalTools.Run("flac", "--silent", "--force", "-8", "-o", Path.Combine(chapter, $"19-198-000{i}.flac"), wav);
        }
        File.WriteAllLines(Path.Combine(chapter, "19-198.trans.txt"), Texts.Select((t, i) => $"19-198-000{i} {t.ToUpperInvariant()}"));
        AssertSameFeatures(expected, model.LoadDataSet(Path.Combine(directory, "LibriSpeech", "train-clean-5"), new DataSetOptions { CacheDirectory = Path.Combine(directory, "cache") }));
    }

    [SkippableFact]
    public void Common_Voice_mp3_clips_read_directly()
    {
        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var expected = Reference(model);
        var clips = Path.Combine(directory, "cv-corpus", "en", "clips");
        Directory.CreateDirectory(clips);
        for (var i = 0; i < Texts.Length; i++)
            ExternalTools.Run("lame", "--quiet", "-b", "128", Wav($"tmp/{i}.wav", Utterance(i)), Path.Combine(clips, $"common_voice_en_{i}.mp3"));
        var tsv = Path.Combine(directory, "cv-corpus", "en", "train.tsv");
        File.WriteAllLines(tsv, Texts.Select((t, i) => $"client{i}\tcommon_voice_en_{i}.mp3\t{t}\t2\t0").Prepend("client_id\tpath\tsentence\tup_votes\tdown_votes"));
        // Lossy: the features of the MP3s are close to the WAVs' (normalised MFCCs), not equal; same frames, same labels.
        AssertSameFeatures(expected, model.LoadDataSet(tsv), meanTolerance: 0.25);
    }

    [SkippableFact]
    public void NeMo_segments_of_one_long_recording_read_as_the_cut_files()
    {
        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var expected = Reference(model);
        // One recording: half a second of silence, then each utterance followed by a quarter second of silence.
        var recording = new System.Collections.Generic.List<long>(Enumerable.Repeat(0L, 8000));
        var lines = new System.Collections.Generic.List<string>();
        for (var i = 0; i < Texts.Length; i++)
        {
            var utterance = Utterance(i)[0];
            lines.Add($"{{\"audio_filepath\": \"long.wav\", \"offset\": {recording.Count / 16000.0:R}, \"duration\": {utterance.Count / 16000.0:R}, \"text\": \"{Texts[i]}\"}}");
            recording.AddRange(utterance);
            recording.AddRange(Enumerable.Repeat(0L, 4000));
        }
        Wav("long.wav", new[] { recording });
        var manifest = Path.Combine(directory, "manifest.json");
        File.WriteAllLines(manifest, lines);
        AssertSameFeatures(expected, model.LoadDataSet(manifest, new DataSetOptions { CacheDirectory = Path.Combine(directory, "cache") }));

        // A segment past the end of the recording names the line and the segment.
        File.WriteAllText(manifest, "{\"audio_filepath\": \"long.wav\", \"offset\": 60, \"duration\": 2, \"text\": \"x\"}\n");
        var error = Assert.Throws<DataFileException>(() => model.LoadDataSet(manifest));
        Assert.Contains("manifest.json line 1", error.Message);
        Assert.Contains("60-62 s does not lie within the recording", error.Message);
    }

    [SkippableFact]
    public void Kaldi_segments_of_flac_recordings_read_as_the_cut_files()
    {
        using var model = new Ldc93s1Model(TorchSharp.torch.CPU);
        var expected = Reference(model);
        var folder = Path.Combine(directory, "data", "train");
        Directory.CreateDirectory(folder);
        // Two recordings: utterances 0 and 1 in the first (after a second of silence), utterance 2 alone in the second.
        var first = Enumerable.Repeat(0L, 16000).Concat(Utterance(0)[0]).Concat(Utterance(1)[0]).ToList();
        ExternalTools.Run("flac", "--silent", "--force", "-5", "-o", Path.Combine(folder, "rec1.flac"), Wav("tmp/rec1.wav", new[] { first }));
        ExternalTools.Run("flac", "--silent", "--force", "-5", "-o", Path.Combine(folder, "rec2.flac"), Wav("tmp/rec2.wav", Utterance(2)));
        File.WriteAllText(Path.Combine(folder, "wav.scp"), "rec1 rec1.flac\nrec2 rec2.flac\n");
        var end0 = (16000 + Utterance(0)[0].Count) / 16000.0;
        File.WriteAllText(Path.Combine(folder, "segments"), $"u0 rec1 1 {end0:R}\nu1 rec1 {end0:R} -1\nu2 rec2 0 -1\n");
        File.WriteAllText(Path.Combine(folder, "text"), string.Join("\n", Texts.Select((t, i) => $"u{i} {t}")) + "\n");
        AssertSameFeatures(expected, model.LoadDataSet(folder));
    }
}
