using System;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// Manifest readers as parsers of untrusted input: the mistakes real manifests contain fail with a
/// <see cref="DataFileException"/> naming file and line, and structure-aware mutations never escape
/// with another exception.
/// </summary>
public sealed class ManifestFuzzTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-manifest-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    private string Fails(string path) => Assert.Throws<DataFileException>(() => Manifests.Read(path)).Message;

    [Fact]
    public void Json_values_that_are_not_objects_name_file_and_line()
    {
        foreach (var value in new[] { "null", "[1,2]", "3", "\"text\"", "{\"audio\": 1, \"text\": \"a\"}", "{\"text\": \"a\"}" })
        {
            var path = Write("m.jsonl", "{\"audio\": \"a.wav\", \"text\": \"fine\"}\n" + value + "\n");
            Assert.StartsWith($"{path} line 2: expected", Fails(path));
        }
    }

    [Fact]
    public void A_json_array_file_is_read_item_by_item()
    {
        var path = Write("m.json", "[\n {\"audio\": \"a.wav\", \"text\": \"one\"},\n {\"audio\": \"b.wav\", \"text\": \"two\"}\n]\n");
        var utterances = Manifests.Read(path);
        Assert.Equal(new[] { "one", "two" }, utterances.Select(u => u.Transcript));
        Assert.Equal($"{path} item 1", utterances[1].Source);
        path = Write("bad.json", "[{\"audio\": \"a.wav\", \"text\": \"one\"}, null]");
        Assert.StartsWith($"{path} item 1: expected", Fails(path));
    }

    [Fact]
    public void A_manifest_that_is_not_utf8_names_the_line()
    {
        var latin1 = Encoding.Latin1.GetBytes("wav_filename,wav_filesize,transcript\na.wav,1,cafe\nb.wav,1,café\n");
        var path = Write("latin1.csv", latin1);
        var message = Fails(path);
        Assert.StartsWith($"{path} line 3: not UTF-8 (byte 0xE9)", message);
        Assert.Contains("UTF-16", Fails(Write("utf16.csv", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("wav_filename,transcript\n")).ToArray())));
        // A UTF-8 byte-order mark and CRLF line ends are fine.
        var bom = Write("bom.csv", Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("wav_filename,wav_filesize,transcript\r\na.wav,1,café\r\n")).ToArray());
        Assert.Equal("café", Assert.Single(Manifests.Read(bom)).Transcript);
    }

    [Fact]
    public void Missing_and_unusable_paths_name_the_manifest()
    {
        Assert.Contains("the manifest does not exist", Fails(Path.Combine(directory, "none.csv")));
        var path = Write("nul.csv", "wav_filename,wav_filesize,transcript\n\"\",1,x\n");
        Assert.StartsWith($"{path} line 2: the audio path is empty", Fails(path));
    }

    private static readonly string[] JsonPieces = { "{", "}", "[", "]", "\"audio\"", "\"text\"", ":", ",", "\"a.wav\"", "\"hi\"", "null", "1e999", "-0", "true", "\"\\u0000\"", "\"\\ud800\"", " ", "\n",
        "\"audio_filepath\"", "\"offset\"", "\"duration\"", "0", "2.5" }; // NeMo's keys too
    private static readonly string[] TsvPieces = { "\t", "path", "sentence", "a.wav", "b.mp3", "hello world", "\n", "\r\n", " ", "é", "\u0000", "../x.wav", "\"" };
    private static readonly string[] KaldiPieces = { "utt1", "utt2", " ", "\t", "a.wav", "/abs/b.wav", "sox x |", "|", "HELLO", "\n", "\r\n", "é", "\u0000" };
    private static readonly string[] CsvPieces = { ",", "\"", "\"\"", "a.wav", "hello", "wav_filename", "transcript", "wav_filesize", "\n", "\r\n", " ", "é", "\u0000", "../../x.wav" };

    private static Gen<byte[]> Pieces(string[] pieces, string prefix) =>
        Gen.Select(Gen.Int[0, pieces.Length - 1].Array[0, 40], Gen.Byte.Array[0, 3], Gen.Int[0, 3],
            (indexes, raw, kind) =>
            {
                var text = prefix + string.Concat(indexes.Select(i => pieces[i]));
                var bytes = Encoding.UTF8.GetBytes(text);
                return kind == 0 ? bytes.Concat(raw).ToArray() : kind == 1 ? raw.Concat(bytes).ToArray() : bytes; // stray bytes, often not UTF-8
            });

    /// <summary>Cases per format per run (fixed seed).</summary>
    public const int Iterations = 1500;

    [Theory]
    [InlineData("m.jsonl")]
    [InlineData("m.json")]
    [InlineData("m.csv")]
    [InlineData("speaker/1/1-2.trans.txt")]
    [InlineData("m.tsv")]
    [InlineData("kaldi/wav.scp")]
    [InlineData("kaldi/text")]
    public void Structure_aware_mutations_parse_or_fail_cleanly(string name)
    {
        var kaldi = name.StartsWith("kaldi/", StringComparison.Ordinal);
        var gen = name.EndsWith(".csv", StringComparison.Ordinal) ? Pieces(CsvPieces, "wav_filename,wav_filesize,transcript\n")
            : name.EndsWith(".txt", StringComparison.Ordinal) ? Pieces(CsvPieces.Append("1-2-0001 ").ToArray(), "")
            : name.EndsWith(".tsv", StringComparison.Ordinal) ? Pieces(TsvPieces, "path\tsentence\n")
            : kaldi ? Pieces(KaldiPieces, "")
            : Pieces(JsonPieces, "");
        if (kaldi)
        {
            // The other file of the pair stays valid while this one is mutated.
            Write("kaldi/wav.scp", "utt1 a.wav\nutt2 b.wav\n");
            Write("kaldi/text", "utt1 HELLO\nutt2 WORLD\n");
        }
        var target = name.EndsWith(".txt", StringComparison.Ordinal) ? directory : kaldi ? Path.Combine(directory, "kaldi") : Path.Combine(directory, name);
        gen.SampleFixed(bytes =>
        {
            var path = Write(name, bytes);
            try
            {
                var utterances = Manifests.Read(target);
                Assert.All(utterances, u => Assert.True(Path.IsPathRooted(u.AudioPath) && u.Source.StartsWith(path, StringComparison.Ordinal)));
            }
            catch (DataFileException e)
            {
                Assert.Contains(name.EndsWith(".txt", StringComparison.Ordinal) || kaldi ? target : path, e.Message);
            }
        }, iterations: Iterations, seed: "0000AAAAbbbb");
    }
}
