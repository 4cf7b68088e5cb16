using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;
using Xunit;

namespace CtcDsl.Tests.LanguageModels;

/// <summary>Issue 23: the ARPA and lexicon readers refuse devices, FIFOs and folders by name, and spec paths resolve in a short, closed list of folders.</summary>
public sealed class UntrustedFileTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-untrusted-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Runs a read with a timeout so that a regression (a FIFO that blocks) fails instead of hanging CI.</summary>
    private static DataFileException Refused(Action read)
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

    [Fact]
    public void Dev_zero_a_fifo_and_a_folder_are_refused_by_name()
    {
        var fifo = Path.Combine(directory, "words.arpa");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        Assert.True(File.Exists(fifo));
        foreach (var path in new[] { "/dev/zero", fifo, directory })
        {
            Assert.Contains(path, Refused(() => NgramLanguageModel.Load(path)).Message);
            Assert.Contains(path, Refused(() => Lexicon.Load(path)).Message);
        }
    }

    [Fact]
    public void Relative_spec_paths_never_climb_out_and_name_the_places_looked()
    {
        var message = Assert.Throws<DataFileException>(() => SpecDecoders.Resolve("../../../etc/passwd", "specs", "lexicon")).Message;
        Assert.Contains("climbs out of", message);
        var missing = Assert.Throws<DataFileException>(() => SpecDecoders.Resolve($"no-such-{Guid.NewGuid():N}.arpa", "specs", "language model")).Message;
        // Three places at most (spec folder under the working and application folders, the working folder), none above them.
        Assert.Equal(3, missing.Split(", ").Length);
        Assert.Equal("/abs/words.arpa", SpecDecoders.Resolve("/abs/words.arpa", "specs", "language model"));
    }

    [Fact]
    public void A_lexicon_in_capitals_against_a_lowercase_vocabulary_is_refused_offering_case_folding()
    {
        var vocabulary = new CtcDsl.Runtime.Text.Vocabulary(new[] { "a", "b", " " }, blankIndex: 3);
        var message = Assert.Throws<ArgumentException>(() => new LanguageModelBeamSearch(vocabulary, lexicon: new Lexicon(new[] { "AB", "BA" }))).Message;
        Assert.Contains("cannot spell any of the lexicon's 2 words", message);
        Assert.Contains("Lowercase the lexicon", message);
        _ = new LanguageModelBeamSearch(vocabulary, lexicon: new Lexicon(new[] { "ab", "BA" })); // one spellable word is enough
    }

    [Fact]
    public void A_gzip_bomb_of_one_line_stops_at_the_line_bound_naming_the_file()
    {
        // 64 MiB of zeros compress to ~64 KB; before issue 23 the reader grew one string until the framework threw.
        var bomb = Path.Combine(directory, "bomb.arpa.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(bomb), System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write("\\data\\\n"u8);
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 64; i++) gzip.Write(zeros);
        }
        var watch = Stopwatch.StartNew();
        var message = Refused(() => NgramLanguageModel.Load(bomb)).Message;
        Assert.Contains($"{bomb} line 2: longer than {1 << 20} characters", message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
    }
}
