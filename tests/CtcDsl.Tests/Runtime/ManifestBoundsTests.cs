using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.LanguageModels;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>
/// Issue 23 item 2 for the manifest readers (DeepSpeech CSV, Common Voice TSV, JSON lines, Kaldi's
/// wav.scp and text, LibriSpeech's trans.txt) and the gzip ARPA reader: <c>/dev/zero</c>, a FIFO, an
/// endless line, a file larger than the bound (a sparse file that states 2 GiB) and a gzip bomb of
/// many lines each fail quickly with a <see cref="DataFileException"/> naming the file (and the line
/// and bound where there is one), never a framework exception or a hang.
/// </summary>
public sealed class ManifestBoundsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-manifestbounds-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Each reader, with the file its content goes to: a manifest path, or a folder whose one file it is.</summary>
    public static TheoryData<string> Readers => new() { "train.csv", "train.tsv", "train.jsonl", "train.json", "kaldi/wav.scp", "kaldi/text", "libri/1/1-2.trans.txt" };

    /// <summary>Sets up <paramref name="reader"/>'s layout and returns (the file to fill, the path to give <see cref="Manifests.Read"/>).</summary>
    private (string File, string Manifest) Layout(string reader)
    {
        var file = Path.Combine(directory, reader);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (reader.StartsWith("kaldi/", StringComparison.Ordinal))
        {
            var kaldi = Path.Combine(directory, "kaldi");
            File.WriteAllText(Path.Combine(kaldi, "wav.scp"), "u1 a.wav\n");
            File.WriteAllText(Path.Combine(kaldi, "text"), "u1 hello\n");
            File.Delete(file);
            return (file, kaldi);
        }
        return reader.StartsWith("libri/", StringComparison.Ordinal) ? (file, Path.Combine(directory, "libri")) : (file, file);
    }

    private static DataFileException Refused(Func<object> read)
    {
        var task = Task.Run(read);
        try
        {
            Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "the read did not return within 20 s");
        }
        catch (AggregateException)
        {
        }
        return Assert.IsType<DataFileException>(task.Exception?.InnerException);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Dev_zero_and_a_fifo_are_refused_by_name(string reader)
    {
        var (file, manifest) = Layout(reader);
        File.CreateSymbolicLink(file, "/dev/zero"); // a link, as a planted file would be: its target is what counts
        Assert.StartsWith($"{file}: the manifest is empty or not a regular file", Refused(() => Manifests.Read(manifest)).Message);
        File.Delete(file);
        using (var mkfifo = Process.Start("mkfifo", file)) mkfifo.WaitForExit();
        Assert.StartsWith($"{file}: the manifest is empty or not a regular file", Refused(() => Manifests.Read(manifest)).Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void An_endless_line_stops_at_the_line_bound(string reader)
    {
        var (file, manifest) = Layout(reader);
        var line = new byte[Manifests.MaxLineBytes + 1];
        Array.Fill(line, (byte)'a');
        File.WriteAllBytes(file, line);
        Assert.StartsWith($"{file} line 1: longer than {Manifests.MaxLineBytes} bytes", Refused(() => Manifests.Read(manifest)).Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void A_file_over_the_size_bound_is_refused_before_reading(string reader)
    {
        var (file, manifest) = Layout(reader);
        // Sparse: states 2 GiB and takes no disk; reading it whole would exceed what one array holds.
        using (var stream = File.Create(file)) stream.SetLength(2L << 30);
        var watch = Stopwatch.StartNew();
        Assert.StartsWith($"{file}: {2L << 30} bytes, more than the {Manifests.MaxManifestBytes} bytes", Refused(() => Manifests.Read(manifest)).Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public void A_gzip_bomb_of_many_lines_stops_at_the_decompressed_size_bound()
    {
        // 256 MiB of newlines compress to ~250 KB: every line is short, so only a bound on the whole stops it.
        var bomb = Path.Combine(directory, "lines.arpa.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(bomb), System.IO.Compression.CompressionLevel.SmallestSize))
        {
            var newlines = new byte[1 << 20];
            Array.Fill(newlines, (byte)'\n');
            for (var i = 0; i < 256; i++) gzip.Write(newlines);
        }
        var watch = Stopwatch.StartNew();
        var message = Refused(() => NgramLanguageModel.Load(bomb)).Message;
        // The bound is 64 times the compressed size, at least 64 MiB (docs/untrusted-files.md).
        Assert.StartsWith($"{bomb}: decompresses to more than {64L << 20} bytes (the bound: 64 times the compressed size", message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
    }
}
