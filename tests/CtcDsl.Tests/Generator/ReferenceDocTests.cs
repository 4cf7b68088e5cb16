using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using CtcDsl.Generator.Analysis;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>specs/README.md, the spec-language reference, cannot drift from the generator.</summary>
public class ReferenceDocTests
{
    private static readonly string Reference = File.ReadAllText(Path.Combine(RepositoryPaths.Specs, "README.md"));

    [Fact]
    public void Every_diagnostic_is_documented_with_its_severity_and_nothing_else_is()
    {
        var documented = Regex.Matches(Reference, @"^\| (CTC\d{4}) \| (error|warning) \|", RegexOptions.Multiline)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var catalogue = Descriptors.All.ToDictionary(d => d.Id, d => d.DefaultSeverity.ToString().ToLowerInvariant());
        Assert.Equal(catalogue.OrderBy(e => e.Key), documented.OrderBy(e => e.Key));
    }

    [Fact]
    public void Every_keyword_the_generator_accepts_is_documented()
    {
        var keywords = SpecAnalyzer.RootKeys.Concat(SpecAnalyzer.LayerTypes).Concat(SpecAnalyzer.Activations)
            .Concat(SpecAnalyzer.Reductions).Concat(SpecAnalyzer.Optimizers).Concat(SpecAnalyzer.MetricTypes)
            .Concat(SpecAnalyzer.DecoderTypes).Concat(SpecAnalyzer.ScheduleTypes).Concat(SpecAnalyzer.FrontEndTypes).Concat(SpecAnalyzer.Normalizations);
        // Written as code (`k`), as a section (## k) or as a value (type: k).
        Assert.All(keywords, k => Assert.True(
            Reference.Contains($"`{k}") || Reference.Contains($"## {k}") || Reference.Contains($"type: {k}"), $"'{k}' is not in specs/README.md"));
    }

    [Fact]
    public void Every_example_spec_is_listed()
    {
        foreach (var spec in Directory.GetFiles(RepositoryPaths.Specs, "*.ctc.yaml"))
            Assert.Contains($"[{Path.GetFileName(spec)}]", Reference);
    }
}
