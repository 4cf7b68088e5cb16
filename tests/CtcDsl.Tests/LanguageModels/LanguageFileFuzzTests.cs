using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using CsCheck;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.LanguageModels;

/// <summary>
/// The ARPA and lexicon readers as parsers of untrusted text (issue 23 item 7). Cases are built from
/// the formats' structure — ARPA: a \data\ header whose counts are right or lie, n-gram sections in
/// or out of order, entries with 0–4 fields, numbers at and beyond their limits (-inf, -Infinity, NaN,
/// 3e38, 1e999), words that are and are not unigrams, missing markers; lexicons: words with
/// spellings, comments, tabs, control characters, stray bytes that are not UTF-8 — then written with
/// random separators and line endings. Each must load (and then score every sentence to a finite or
/// minus-infinite log probability, never above 0) or fail with a <see cref="DataFileException"/>
/// naming the file: no framework exception.
/// </summary>
public sealed class LanguageFileFuzzTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-lmfuzz-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static readonly string[] Words = ["<s>", "</s>", "<unk>", "a", "b", "the", "é", "日本", "x\u0000y", "\\data\\", "-1.0", "ngram"];
    private static readonly string[] Valid = ["-1.5", "-0.30103", "0", "-0", "-inf", "-Infinity", "-INF", "-3e38", "-1e999", "-99", "-1e-45"];
    private static readonly string[] Invalid = ["NaN", "3e38", "1e999", "0.5", "1e-45", "abc", "∞", "+1", "-", "0x10"];

    /// <summary>A number: most often one the format allows (so cases reach past the first entry), else one it does not.</summary>
    private static string Number(Random random) => random.Next(12) == 0 ? Pick(random, Invalid) : Pick(random, Valid);

    /// <summary>An ARPA text built from <paramref name="random"/> (seeded from the case, so every case is fixed).</summary>
    private static string Arpa(Random random)
    {
        var order = random.Next(1, 5);
        var sections = new List<List<string[]>>();
        for (var n = 1; n <= order; n++)
        {
            var entries = new List<string[]>();
            var count = random.Next(0, 8);
            if (n == 1 && random.Next(4) > 0) { entries.Add(["-1", "<s>", "-0.5"]); entries.Add(["-1", "</s>"]); }
            for (var i = 0; i < count; i++)
            {
                var fields = new List<string> { Number(random) };
                var words = random.Next(20) == 0 ? random.Next(0, 6) : n;
                // Higher orders mostly use words the unigrams list, so the sections behind them are reached.
                var known = sections.Count > 0 ? sections[0].Where(f => f.Length > 1).Select(f => f[1]).Distinct().ToArray() : [];
                for (var k = 0; k < words; k++)
                    fields.Add(n == 1 && random.Next(10) > 0 ? Words[2 + (i + count) % (Words.Length - 2)] // distinct unigrams, mostly
                        : known.Length > 0 && random.Next(6) > 0 ? Pick(random, known) : Pick(random, Words));
                if (random.Next(2) == 0) fields.Add(Number(random));
                entries.Add(fields.ToArray());
            }
            sections.Add(entries);
        }
        var text = new StringBuilder();
        if (random.Next(5) == 0) text.Append("a comment before the header\n");
        if (random.Next(20) > 0) text.Append("\\data\\\n");
        for (var n = 1; n <= order; n++)
        {
            var count = random.Next(12) switch { 0 => random.Next(-2, 20).ToString(), 1 => "2000000000", 2 => "99999999999", 3 => "x", _ => sections[n - 1].Count.ToString() };
            var label = random.Next(40) == 0 ? random.Next(0, 9) : n;
            text.Append($"ngram {label}={count}\n");
        }
        text.Append('\n');
        for (var n = 1; n <= order; n++)
        {
            if (random.Next(25) == 0) continue; // a section missing
            text.Append(random.Next(25) == 0 ? $"\\{n + 1}-grams:\n" : $"\\{n}-grams:\n");
            foreach (var fields in sections[n - 1])
                text.Append(string.Join(random.Next(3) switch { 0 => "\t", 1 => "  ", _ => " " }, fields)).Append('\n');
            if (random.Next(10) == 0) text.Append(Pick(random, ["\\end\\", "\\9-grams:", "junk line", "-1 a b c d e f g"])).Append('\n');
            text.Append('\n');
        }
        if (random.Next(10) > 0) text.Append("\\end\\\n");
        var result = text.ToString();
        if (random.Next(4) == 0) result = result.Replace("\n", "\r\n");
        if (random.Next(6) == 0) result = result[..random.Next(result.Length + 1)]; // truncated
        return result;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    [Fact]
    public void Generated_arpa_files_load_or_fail_naming_the_file()
    {
        var loaded = 0;
        var watch = Stopwatch.StartNew();
        var iterations = FixedSeedFuzz.Budget(3000);
        Gen.Int.SampleFixed(seed =>
        {
            var random = new Random(seed);
            var text = Arpa(random);
            var gzip = random.Next(10) == 0;
            NgramLanguageModel model;
            try
            {
                if (gzip)
                {
                    var path = Path.Combine(directory, "x.arpa.gz");
                    using (var file = new System.IO.Compression.GZipStream(File.Create(path), System.IO.Compression.CompressionLevel.Fastest))
                        file.Write(Encoding.UTF8.GetBytes(text));
                    model = NgramLanguageModel.Load(path);
                }
                else
                {
                    model = NgramLanguageModel.Read(new StringReader(text), "lm/x.arpa");
                }
            }
            catch (DataFileException e)
            {
                Assert.StartsWith(gzip ? Path.Combine(directory, "x.arpa.gz") : "lm/x.arpa", e.Message);
                return;
            }
            loaded++;
            foreach (var sentence in new[] { Array.Empty<string>(), ["a"], ["the", "a", "b"], ["unknown", "é"] })
            {
                var score = model.ScoreSentence(sentence);
                Assert.False(double.IsNaN(score) || score > 1e-9, $"log10 P = {score} for '{string.Join(' ', sentence)}'");
            }
        }, iterations, "0000ARPAfuzz");
        Console.WriteLine($"ARPA fuzz: {iterations} cases, {loaded} loaded, {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(loaded, 1, iterations - 1);
    }

    [Fact]
    public void Generated_lexicons_load_or_fail_naming_the_file()
    {
        var pieces = new[] { "hello", "HELLO", "h e l l o |", "world", "w ɜː l d", "#", "# comment", " ", "\t", "  ", "é", "日本", "\u0000", "\u200b", "a", "'s", "-", "\r" };
        var loaded = 0;
        var watch = Stopwatch.StartNew();
        var iterations = FixedSeedFuzz.Budget(2000);
        var path = Path.Combine(directory, "words.txt");
        Gen.Int.SampleFixed(seed =>
        {
            var random = new Random(seed);
            var lines = Enumerable.Range(0, random.Next(0, 12)).Select(_ => string.Concat(Enumerable.Range(0, random.Next(0, 6)).Select(_ => Pick(random, pieces))));
            var bytes = Encoding.UTF8.GetBytes(string.Join(random.Next(3) == 0 ? "\r\n" : "\n", lines)).ToList();
            for (var stray = random.Next(4) == 0 ? random.Next(1, 4) : 0; stray > 0; stray--)
                bytes.Insert(random.Next(bytes.Count + 1), (byte)random.Next(0x80, 0x100)); // bytes that are often not UTF-8
            File.WriteAllBytes(path, bytes.ToArray());
            try
            {
                var lexicon = Lexicon.Load(path);
                Assert.NotNull(lexicon);
                loaded++;
            }
            catch (DataFileException e)
            {
                Assert.StartsWith(path + ": ", e.Message);
            }
        }, iterations, "0000LEXIfuzz");
        Console.WriteLine($"Lexicon fuzz: {iterations} cases, {loaded} loaded, {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.InRange(loaded, 1, iterations - 1);
    }
}
