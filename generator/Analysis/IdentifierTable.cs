using System;
using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Parsing;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Analysis;

/// <summary>
/// Every C# identifier the generated code derives from a spec's names goes through one table, so two
/// spec names that become the same identifier (<c>my_layer</c> and <c>myLayer</c>; inputs
/// <c>utterances</c> and <c>utterance</c>, whose lengths properties are both <c>UtteranceLengths</c>), or a
/// name that the generated code or its TorchSharp base class already uses (<see cref="CSharpNames.Reserved"/>),
/// is a diagnostic at the YAML name instead of a compiler error in generated code.
/// </summary>
internal sealed class IdentifierTable
{
    private readonly SpecContext context;
    private readonly Dictionary<string, string> claimed = new(StringComparer.Ordinal); // identifier → the spec name that took it

    public IdentifierTable(SpecContext context) => this.context = context;

    /// <summary>
    /// Claims every identifier that <paramref name="what"/> (a spec name) becomes; reports the first
    /// clash at <paramref name="node"/> and returns false.
    /// </summary>
    public bool Claim(string what, YamlNode node, params string[] identifiers)
    {
        foreach (var raw in identifiers)
        {
            var identifier = raw.TrimStart('@');
            if (CSharpNames.Reserved.Contains(identifier))
            {
                context.Report(DiagnosticCatalog.InvalidValue, node, "name", $"a name the generated code does not use itself ({what} becomes '{identifier}', which is taken)", $"'{Spelling(node)}'");
                return false;
            }
            if (claimed.TryGetValue(identifier, out var owner) && owner != what)
            {
                context.Report(DiagnosticCatalog.DuplicateName, node, Spelling(node), $"{owner} (both become '{identifier}' in C#)");
                return false;
            }
        }
        foreach (var raw in identifiers) claimed[raw.TrimStart('@')] = what;
        return true;
    }

    private static string Spelling(YamlNode node) => node is YamlScalarNode { Value: { } value } ? value : YamlMap.Kind(node);
}
