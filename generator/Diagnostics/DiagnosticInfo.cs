using System.Linq;
using CtcDsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace CtcDsl.Generator.Diagnostics;

/// <summary>
/// A diagnostic as plain, equatable data (descriptor id, arguments, YAML location) so the pipeline
/// can cache it; turned into a Roslyn <see cref="Diagnostic"/> only when reported.
/// </summary>
internal sealed record DiagnosticInfo(string Id, string FilePath, SourceSpan Span, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, string filePath, SourceSpan span, params object[] arguments) =>
        new(descriptor.Id, filePath, span, arguments.Select(a => a?.ToString() ?? "").ToEquatableArray());

    public Diagnostic ToDiagnostic()
    {
        var descriptor = Descriptors.ById(Id);
        var location = Location.Create(
            FilePath,
            new TextSpan(Span.Start, Span.Length),
            new LinePositionSpan(new LinePosition(Span.Line, Span.Column), new LinePosition(Span.EndLine, Span.EndColumn)));
        return Diagnostic.Create(descriptor, location, Arguments.Cast<object>().ToArray());
    }
}

internal static class Descriptors
{
    private static readonly System.Collections.Generic.Dictionary<string, DiagnosticDescriptor> byId =
        typeof(DiagnosticCatalog)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToDictionary(d => d.Id);

    public static DiagnosticDescriptor ById(string id) => byId[id];

    public static System.Collections.Generic.IEnumerable<DiagnosticDescriptor> All => byId.Values.OrderBy(d => d.Id);
}

/// <summary>A file a spec names (full path) and the diagnostic reported when the project has no such additional file.</summary>
internal sealed record RequiredFile(string Path, DiagnosticInfo IfMissing);
