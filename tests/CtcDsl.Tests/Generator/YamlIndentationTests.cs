using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// A YAML indentation mistake is reported at the line that is indented wrongly, with what to change
/// (issue 22), not where YamlDotNet's parser gave up.
/// </summary>
public class YamlIndentationTests(ITestOutputHelper output)
{
    private static readonly string Seed = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "ldc93s1.ctc.yaml"));

    private static (int Line, int Column, string Message) YamlError(string yaml)
    {
        var diagnostic = Assert.Single(GeneratorHarness.Diagnose(yaml), d => d.Id == "CTC0001");
        var start = diagnostic.Location.GetLineSpan().StartLinePosition;
        return (start.Line + 1, start.Character + 1, diagnostic.GetMessage());
    }

    private static int LineOf(string yaml, string text) => yaml.Substring(0, yaml.IndexOf(text, System.StringComparison.Ordinal)).Count(c => c == '\n') + 1;

    [Theory]
    [InlineData("  epochs: 400", "   epochs: 400", 4, "deeper than line")]                        // over-indented after a key with a value
    [InlineData("  epochs: 400", " epochs: 400", 2, "matches no enclosing level")]                // between two levels
    [InlineData("    units: 50", "      units: 50", 7, "already has its value")]                  // YamlDotNet says 5 columns later
    [InlineData("    units: 50", "   units: 50", 4, "matches no enclosing level")]                // inside a list item
    [InlineData("    units: 50\n", "    units: 50\n  dropout: 0.1\n", 3, "is not an item")]        // in the items' column
    [InlineData("  tokens:", "tokens:", 1, "opens a mapping, but line")]                          // the first key under an opener dedented
    [InlineData("  optimizer:", "   optimizer:", 4, "start in the same column")] // the first key under an opener over-indented
    [InlineData("  epochs: 400", "\tepochs: 400", 1, "a tab indents")]
    public void The_mistake_is_located_with_a_hint(string find, string replace, int column, string hint)
    {
        Assert.Contains(find, Seed);
        var yaml = Seed.Replace(find, replace);
        var (line, actualColumn, message) = YamlError(yaml);
        var mistake = replace.TrimEnd('\n').Split('\n')[^1]; // the last line of the replacement is the one indented wrongly
        Assert.Equal((LineOf(yaml, mistake), column), (line, actualColumn));
        Assert.Contains(hint, message);
    }

    [Fact]
    public void A_yaml_error_that_is_not_indentation_keeps_the_parsers_message()
    {
        var yaml = Seed.Replace("  epochs: 400", "  epochs: 400: 2");
        var (_, _, message) = YamlError(yaml);
        Assert.DoesNotContain("indented", message);
    }

    /// <summary>
    /// Derived from the language rather than a list: every line of every example spec indented one or two
    /// spaces deeper or one shallower. Each change that breaks the YAML must be reported on the changed line.
    /// </summary>
    [Fact]
    public void Every_single_line_indentation_mistake_in_the_examples_is_reported_on_its_line()
    {
        var broken = 0;
        var misplaced = new List<string>();
        foreach (var path in Directory.GetFiles(RepositoryPaths.Specs, "*.ctc.yaml").OrderBy(p => p, System.StringComparer.Ordinal))
        {
            var lines = File.ReadAllText(path).Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                var trimmed = lines[i].TrimStart(' ');
                if (trimmed.Length == 0 || trimmed.StartsWith('#')) continue;
                var indent = lines[i].Length - trimmed.Length;
                foreach (var change in new[] { 1, 2, -1 })
                {
                    if (indent + change < 0) continue;
                    var mutated = lines.ToArray();
                    mutated[i] = new string(' ', indent + change) + trimmed;
                    var diagnostics = GeneratorHarness.Diagnose(string.Join('\n', mutated), "/specs/" + Path.GetFileName(path));
                    if (diagnostics.FirstOrDefault(d => d.Id == "CTC0001") is not { } error) continue;
                    broken++;
                    var line = error.Location.GetLineSpan().StartLinePosition.Line;
                    if (line != i) misplaced.Add($"{Path.GetFileName(path)} line {i + 1} {change:+0;-0}: reported on line {line + 1}: {error.GetMessage()}");
                }
            }
        }
        output.WriteLine($"{broken} indentation changes broke the YAML; {misplaced.Count} reported elsewhere");
        Assert.True(broken >= 100, $"only {broken} changes broke the YAML: the cases no longer reach the check");
        Assert.True(misplaced.Count == 0, string.Join("\n", misplaced.Take(20)));
    }
}
