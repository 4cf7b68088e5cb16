using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using CsCheck;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Text;
using NWaves.Audio;
using NWaves.Signals;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>Manifests, transcript normalisation, length checks, bucketing and the feature loader.</summary>
public sealed class DataSetTests : IDisposable
{
    private static readonly Vocabulary Letters = new(" abcdefghijklmnopqrstuvwxyz'".Select(c => c.ToString()).ToArray(), 28);
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-data-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Wave(string relative, int samples, int rate = 16000)
    {
        var path = Path.Combine(directory, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var signal = Enumerable.Range(0, samples).Select(i => (float)(0.3 * Math.Sin(i * 0.05 + samples))).ToArray();
        using var file = File.Create(path);
        new WaveFile(new DiscreteSignal(rate, signal), 16).SaveTo(file);
        return path;
    }

    [Fact]
    public void DeepSpeech_csv_with_quotes_and_relative_paths()
    {
        Wave("clips/a.wav", 4000);
        var manifest = Path.Combine(directory, "train.csv");
        File.WriteAllText(manifest, "wav_filename,wav_filesize,transcript\nclips/a.wav,8044,\"hello, \"\"world\"\"\"\nclips/b.wav,100,second\n");

        var utterances = Manifests.Read(manifest);

        Assert.Equal(2, utterances.Count);
        Assert.Equal(Path.Combine(directory, "clips", "a.wav"), utterances[0].AudioPath);
        Assert.Equal("hello, \"world\"", utterances[0].Transcript);
        Assert.Equal($"{manifest} line 3", utterances[1].Source);

        File.WriteAllText(manifest, "path,text\na.wav,x\n");
        Assert.Contains("line 1: the header must name wav_filename and transcript", Assert.Throws<DataFileException>(() => Manifests.Read(manifest)).Message);
    }

    [Fact]
    public void Json_lines_and_their_errors()
    {
        var manifest = Path.Combine(directory, "dev.jsonl");
        File.WriteAllText(manifest, "{\"audio\": \"x/1.wav\", \"text\": \"one\"}\n\n{\"audio\": \"/abs/2.wav\", \"text\": \"two\"}\n");
        var utterances = Manifests.Read(manifest);
        Assert.Equal(new[] { Path.Combine(directory, "x", "1.wav"), "/abs/2.wav" }, utterances.Select(u => u.AudioPath));
        Assert.Equal($"{manifest} line 3", utterances[1].Source);

        File.WriteAllText(manifest, "{\"audio\": \"1.wav\", \"text\": \"one\"}\n{\"audio\": 5}\n");
        Assert.Contains("line 2: expected", Assert.Throws<DataFileException>(() => Manifests.Read(manifest)).Message);
        File.WriteAllText(manifest, "{not json\n");
        Assert.Contains("line 1: not valid JSON", Assert.Throws<DataFileException>(() => Manifests.Read(manifest)).Message);
    }

    [Fact]
    public void NeMo_manifests_read_audio_filepath_duration_and_offset()
    {
        var manifest = Path.Combine(directory, "nemo.json");
        File.WriteAllText(manifest, "{\"audio_filepath\": \"a/1.wav\", \"duration\": 1.5, \"text\": \"one\"}\n{\"audio_filepath\": \"a/2.wav\", \"duration\": 2.0, \"offset\": 0, \"text\": \"two\"}\n");
        var utterances = Manifests.Read(manifest);
        Assert.Equal(new[] { Path.Combine(directory, "a", "1.wav"), Path.Combine(directory, "a", "2.wav") }, utterances.Select(u => u.AudioPath));
        Assert.Equal(new[] { "one", "two" }, utterances.Select(u => u.Transcript));
        // A duration without an offset key describes the file; it does not cut it. With an offset key,
        // 0 included, NeMo reads `duration` seconds from the offset (issue 23: offset 0 read the whole file).
        Assert.Equal(new double?[] { 1.5, 2.0 }, utterances.Select(u => u.Duration));
        Assert.Null(utterances[0].Segment);
        Assert.Equal(new AudioSegment(0, 2.0), utterances[1].Segment);

        File.WriteAllText(manifest, "{\"audio_filepath\": \"long.wav\", \"duration\": 2.0, \"offset\": 12.5, \"text\": \"three\"}\n{\"audio_filepath\": \"long.wav\", \"offset\": 3, \"text\": \"four\"}\n");
        utterances = Manifests.Read(manifest);
        Assert.Equal(new AudioSegment(12.5, 14.5), utterances[0].Segment);
        Assert.Equal(new AudioSegment(3, null), utterances[1].Segment);
        Assert.Equal($"{Path.Combine(directory, "long.wav")} [12.5-14.5 s]", utterances[0].AudioName);

        foreach (var (field, value) in new[] { ("offset", "-1"), ("offset", "\"3\""), ("duration", "0"), ("duration", "-2"), ("duration", "1e999") })
        {
            File.WriteAllText(manifest, $"{{\"audio_filepath\": \"long.wav\", \"{field}\": {value}, \"text\": \"x\"}}\n");
            Assert.Contains($"line 1: \"{field}\"", Assert.Throws<DataFileException>(() => Manifests.Read(manifest)).Message);
        }
    }

    [Fact]
    public void Common_Voice_tsv_reads_clips_as_they_are()
    {
        Directory.CreateDirectory(Path.Combine(directory, "cv", "clips"));
        var manifest = Path.Combine(directory, "cv", "train.tsv");
        File.WriteAllText(manifest, "client_id\tpath\tsentence\tup_votes\n" +
                                    "c1\tcommon_voice_en_1.mp3\tHello, world.\t2\n" +
                                    "c2\tcommon_voice_en_2.wav\tSecond one\t3\n");
        var utterances = Manifests.Read(manifest);
        Assert.Equal(new[] { Path.Combine(directory, "cv", "clips", "common_voice_en_1.mp3"), Path.Combine(directory, "cv", "clips", "common_voice_en_2.wav") }, utterances.Select(u => u.AudioPath));
        Assert.Equal(new[] { "Hello, world.", "Second one" }, utterances.Select(u => u.Transcript));

        File.WriteAllText(manifest, "path,sentence\nx.wav,hi\n");
        Assert.Contains("line 1: the header must name path and sentence", Assert.Throws<DataFileException>(() => Manifests.Read(manifest)).Message);
        File.WriteAllText(manifest, "path\tsentence\nx.wav\n");
        Assert.Contains("line 2: 1 fields where the header has 2", Assert.Throws<DataFileException>(() => Manifests.Read(manifest)).Message);
    }

    [Fact]
    public void Kaldi_data_folders_join_wav_scp_text_and_segments()
    {
        var folder = Path.Combine(directory, "kaldi");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "wav.scp"), "utt2 /data/b.wav\nutt1 audio/a.wav\n");
        File.WriteAllText(Path.Combine(folder, "text"), "utt1 HELLO THERE\nutt2 GOOD   BYE\n");
        var utterances = Manifests.Read(folder);
        Assert.Equal(new[] { Path.Combine(folder, "audio", "a.wav"), "/data/b.wav" }, utterances.Select(u => u.AudioPath));
        Assert.Equal(new[] { "HELLO THERE", "GOOD   BYE" }, utterances.Select(u => u.Transcript));
        Assert.Equal($"{Path.Combine(folder, "text")} line 1", utterances[0].Source);

        File.WriteAllText(Path.Combine(folder, "text"), "utt1 HELLO\nutt3 MISSING\n");
        Assert.Contains("text line 2: utterance 'utt3' has no audio", Assert.Throws<DataFileException>(() => Manifests.Read(folder)).Message);
        File.WriteAllText(Path.Combine(folder, "wav.scp"), "utt1 sox a.flac -t wav - |\n");
        Assert.Contains("wav.scp line 1: 'sox a.flac -t wav - |' is a command", Assert.Throws<DataFileException>(() => Manifests.Read(folder)).Message);
        File.WriteAllText(Path.Combine(folder, "wav.scp"), "utt1 a.wav\nutt1 b.wav\n");
        Assert.Contains("line 2: utterance 'utt1' is listed twice", Assert.Throws<DataFileException>(() => Manifests.Read(folder)).Message);

        // With segments, text's IDs are segments of the recordings wav.scp lists.
        File.WriteAllText(Path.Combine(folder, "wav.scp"), "rec1 a.wav\nrec2 b.flac\n");
        File.WriteAllText(Path.Combine(folder, "segments"), "seg1 rec1 0.0 1.5\nseg2 rec2 2.25 4\nseg3 rec1 1.5 -1\n");
        File.WriteAllText(Path.Combine(folder, "text"), "seg2 SECOND\nseg1 FIRST\nseg3 THIRD\n");
        utterances = Manifests.Read(folder);
        Assert.Equal(new[] { "SECOND", "FIRST", "THIRD" }, utterances.Select(u => u.Transcript));
        Assert.Equal(new[] { Path.Combine(folder, "b.flac"), Path.Combine(folder, "a.wav"), Path.Combine(folder, "a.wav") }, utterances.Select(u => u.AudioPath));
        Assert.Equal(new[] { new AudioSegment(2.25, 4), new AudioSegment(0, 1.5), new AudioSegment(1.5, null) }, utterances.Select(u => u.Segment));
        foreach (var (line, expected) in new[]
        {
            ("seg1 rec1 0.0\n", "expected 'UTTERANCE RECORDING START END'"),
            ("seg1 rec9 0 1\n", "recording 'rec9' is not in"),
            ("seg1 rec1 x 1\n", "start 'x' is not a number"),
            ("seg1 rec1 2 1\n", "end '1' must be a time after the start"),
            ("seg1 rec1 0 1\nseg1 rec1 1 2\n", "line 2: utterance 'seg1' is listed twice"),
            ("seg1 rec1 0 1\n", "text line 1: utterance 'seg2' is not in"),
        })
        {
            File.WriteAllText(Path.Combine(folder, "segments"), line);
            Assert.Contains(expected, Assert.Throws<DataFileException>(() => Manifests.Read(folder)).Message);
        }
    }

    [Fact]
    public void LibriSpeech_folders()
    {
        var chapter = Path.Combine(directory, "libri", "19", "198");
        Directory.CreateDirectory(chapter);
        Wave("libri/19/198/19-198-0000.wav", 1000);
        File.WriteAllText(Path.Combine(chapter, "19-198.trans.txt"), "19-198-0000 NORTHANGER ABBEY\n19-198-0001 CHAPTER ONE\n");
        File.WriteAllText(Path.Combine(chapter, "19-198-0001.flac"), "fLaC");

        // LibriSpeech's FLAC is read where it is; a WAV stands in when there is no FLAC.
        var utterances = Manifests.Read(Path.Combine(directory, "libri"));
        Assert.Equal(new[] { "NORTHANGER ABBEY", "CHAPTER ONE" }, utterances.Select(u => u.Transcript));
        Assert.Equal(new[] { Path.Combine(chapter, "19-198-0000.wav"), Path.Combine(chapter, "19-198-0001.flac") }, utterances.Select(u => u.AudioPath));
    }

    [Fact]
    public void Transcripts_are_normalised_and_unknown_characters_follow_the_policy()
    {
        var utterance = new Utterance("a.wav", "  Don't   STOP—now! ", "train.csv line 9");

        var error = Assert.Throws<DataFileException>(() => new TranscriptNormalizer(Letters).Normalize(utterance));
        Assert.Contains("train.csv line 9: character '—' (U+2014) at position 10", error.Message);
        // Both ways out are named: the spec key and the tool's option.
        Assert.Contains("vocabulary.unknown_characters", error.Message);
        Assert.Contains("--unknown-characters drop|map", error.Message);

        Assert.Equal("don't stopnow", new TranscriptNormalizer(Letters) { Policy = UnknownCharacterPolicy.Drop }.Normalize(utterance));
        var mapped = new TranscriptNormalizer(Letters) { Policy = UnknownCharacterPolicy.Map, Map = new Dictionary<char, string> { ['—'] = " ", ['!'] = "" } };
        Assert.Equal("don't stop now", mapped.Normalize(utterance));
    }

    [Fact]
    public void Infeasible_items_are_reported_before_training()
    {
        var problems = CtcFeasibility.FindInfeasible(new (string, int, IReadOnlyList<int>)[]
        {
            ("ok.wav", 10, new[] { 1, 2, 3 }),
            ("short.wav", 3, new[] { 1, 2, 3, 4 }),
            ("repeats.wav", 4, new[] { 5, 5, 5 }),
        });
        Assert.Equal(new[] { "short.wav: 4 labels need 4 output frames, the input gives 3", "repeats.wav: 3 labels need 5 output frames, the input gives 4" }, problems);
    }

    [Fact]
    public void Buckets_cover_every_item_once_within_the_caps_deterministically()
    {
        var random = new Random(3);
        var lengths = Enumerable.Range(0, 200).Select(_ => random.Next(50, 500)).ToArray();
        var batches = BucketBatcher.Batches(lengths, maxBatchSize: 16, maxFrames: 2000, seed: 1, epoch: 4);

        Assert.Equal(Enumerable.Range(0, 200), batches.SelectMany(b => b).OrderBy(i => i));
        Assert.All(batches, b => Assert.True(b.Length <= 16 && b.Length * b.Max(i => lengths[i]) <= 2000));
        var padding = batches.Sum(b => b.Length * b.Max(i => lengths[i]) - b.Sum(i => lengths[i]));
        Assert.True(padding < 0.1 * lengths.Sum(), $"padding {padding}"); // sorted buckets pad little
        Assert.Equal(batches, BucketBatcher.Batches(lengths, 16, 2000, 1, 4));
        Assert.NotEqual(batches, BucketBatcher.Batches(lengths, 16, 2000, 1, 5));
        Assert.Contains("Item 3", Assert.Throws<ArgumentException>(() => BucketBatcher.Batches(new[] { 10, 10, 10, 9000 }, 4, 2000, 0, 1)).Message);
    }

    [Fact]
    public void Feature_loader_runs_in_parallel_and_caches_by_content_and_settings()
    {
        var utterances = Enumerable.Range(0, 12).Select(i => new Utterance(Wave($"u{i}.wav", 3200 + 160 * i, rate: 8000), "x", $"m.csv line {i + 2}")).ToArray();
        var calls = 0;
        float[,] FrontEnd(MonoAudio audio) { Interlocked.Increment(ref calls); return new Mfcc().Compute(audio); }
        var cache = Path.Combine(directory, "cache");

        var serial = new FeatureLoader(FrontEnd, "mfcc13", 16000) { Workers = 1 }.Load(utterances);
        var loader = new FeatureLoader(FrontEnd, "mfcc13", 16000) { Workers = 4, CacheDirectory = cache };
        var parallel = loader.Load(utterances);
        Assert.Equal(24, calls);
        for (var i = 0; i < serial.Length; i++) Assert.Equal(serial[i], parallel[i]);
        Assert.InRange(serial[0].GetLength(0), 39, 40); // 3200 samples at 8 kHz = 0.4 s → 16 kHz, 10 ms hops

        var cached = loader.Load(utterances);
        Assert.Equal(24, calls); // all from the cache
        Assert.Equal(parallel[5], cached[5]);

        Wave("u5.wav", 4100, rate: 8000); // edited content
        loader.Load(utterances);
        Assert.Equal(25, calls);
        new FeatureLoader(FrontEnd, "mfcc13-deltas", 16000) { CacheDirectory = cache }.Load(utterances[..1]); // other settings
        Assert.Equal(26, calls);

        var missing = new Utterance(Path.Combine(directory, "gone.wav"), "x", "m.csv line 40");
        Assert.Contains("m.csv line 40: cannot read", Assert.Throws<DataFileException>(() => loader.Load(missing)).Message);
        File.WriteAllText(Path.Combine(directory, "bad.wav"), "RIFF....WAVEjunk");
        var bad = new Utterance(Path.Combine(directory, "bad.wav"), "x", "m.csv line 41");
        Assert.Contains("m.csv line 41:", Assert.Throws<DataFileException>(() => loader.Load(bad)).Message);

        // Through the parallel list overload: the documented exception, naming the first bad item in manifest order.
        File.WriteAllBytes(Path.Combine(directory, "cut.wav"), File.ReadAllBytes(utterances[0].AudioPath)[..30]);
        var cut = new Utterance(Path.Combine(directory, "cut.wav"), "x", "m.csv line 42");
        foreach (var (list, expected) in new[] { (new[] { utterances[0], missing }, "m.csv line 40"), (new[] { bad, utterances[1] }, "m.csv line 41"), (new[] { utterances[2], cut }, "m.csv line 42") })
        {
            var error = Assert.Throws<DataFileException>(() => loader.Load(list));
            Assert.StartsWith(expected, error.Message);
        }
        var several = Assert.Throws<DataFileException>(() => loader.Load(new[] { cut, missing, bad }));
        Assert.StartsWith("m.csv line 42", several.Message);
        Assert.Contains("2 more utterance(s) failed", several.Message);
    }

    [Fact]
    public void Damaged_cache_entries_are_recomputed_and_stale_temporaries_removed()
    {
        var utterances = new[] { new Utterance(Wave("c.wav", 3200), "x", "m.csv line 2") };
        var calls = 0;
        float[,] FrontEnd(MonoAudio audio) { calls++; return new Mfcc().Compute(audio); }
        var cache = Path.Combine(directory, "cache");
        var loader = new FeatureLoader(FrontEnd, "mfcc13", 16000) { CacheDirectory = cache, Workers = 1 };
        var fresh = loader.Load(utterances)[0];
        var entry = Directory.GetFiles(cache, "*.f32", SearchOption.AllDirectories).Single();
        var good = File.ReadAllBytes(entry);
        var nan = (byte[])good.Clone();
        BitConverter.GetBytes(float.NaN).CopyTo(nan, 16);
        var swapped = (byte[])good.Clone();
        BitConverter.GetBytes(fresh.GetLength(1)).CopyTo(swapped, 8);
        BitConverter.GetBytes(fresh.GetLength(0)).CopyTo(swapped, 12);
        var huge = (byte[])good.Clone();
        BitConverter.GetBytes(int.MaxValue).CopyTo(huge, 8);
        var damaged = new[]
        {
            good.Select((b, i) => i == 40 ? (byte)(b ^ 1) : b).ToArray(), // one flipped bit in a value
            nan, swapped, huge, good[..10], Array.Empty<byte>(), good.Concat(new byte[] { 1 }).ToArray(),
        };
        foreach (var bytes in damaged)
        {
            File.WriteAllBytes(entry, bytes);
            var before = calls;
            var loaded = loader.Load(utterances)[0];
            Assert.Equal(before + 1, calls); // recomputed, not served
            Assert.Equal(fresh, loaded);
            Assert.Equal(good, File.ReadAllBytes(entry)); // and repaired
        }

        var stale = Path.Combine(Path.GetDirectoryName(entry)!, "x.f32.dead.tmp");
        File.WriteAllText(stale, "partial");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddHours(-3));
        loader.Load(utterances);
        Assert.False(File.Exists(stale));
    }

    /// <summary>Structure-aware mutations of a cache entry: every one is either served intact or recomputed, never served damaged.</summary>
    [Fact]
    public void Mutated_cache_entries_are_never_served()
    {
        var utterances = new[] { new Utterance(Wave("f.wav", 2400), "x", "m.csv line 2") };
        var calls = 0;
        float[,] FrontEnd(MonoAudio audio) { calls++; return new Mfcc().Compute(audio); }
        var loader = new FeatureLoader(FrontEnd, "mfcc13", 16000) { CacheDirectory = Path.Combine(directory, "fuzz-cache"), Workers = 1 };
        var fresh = loader.Load(utterances)[0];
        var entry = Directory.GetFiles(Path.Combine(directory, "fuzz-cache"), "*.f32", SearchOption.AllDirectories).Single();
        var good = File.ReadAllBytes(entry);
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte, Gen.Int[0, 3], Gen.Int).SampleFixed((at, value, kind, field) =>
        {
            var bytes = kind switch
            {
                0 => good.Select((b, i) => i == at ? (byte)(b ^ (value | 1)) : b).ToArray(), // a changed byte
                1 => good[..at], // cut short
                2 => good.Select((b, i) => i >= 8 && i < 12 ? BitConverter.GetBytes(field)[i - 8] : b).ToArray(), // frames field
                _ => good.Select((b, i) => i >= 12 && i < 16 ? BitConverter.GetBytes(field)[i - 12] : b).ToArray(), // width field
            };
            File.WriteAllBytes(entry, bytes);
            Assert.Equal(fresh, loader.Load(utterances)[0]);
        }, iterations: 1000, seed: "0000GGGGhhhh");
    }

    [Fact]
    public void Dropped_characters_leave_clean_word_separators()
    {
        var drop = new TranscriptNormalizer(Letters) { Policy = UnknownCharacterPolicy.Drop };
        Assert.Equal("a b", drop.Normalize(new Utterance("a.wav", "a — b", "x")));
        Assert.Equal("a b", drop.Normalize(new Utterance("a.wav", "— a b —", "x")));
        Assert.Equal("", drop.Normalize(new Utterance("a.wav", "— —", "x")));
        var map = new TranscriptNormalizer(Letters) { Policy = UnknownCharacterPolicy.Map, Map = new Dictionary<char, string> { ['-'] = " " } };
        Assert.Equal("a b", map.Normalize(new Utterance("a.wav", "a - b-", "x")));
    }
}
