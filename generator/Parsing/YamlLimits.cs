using System.Collections.Generic;
using System.IO;
using CtcDsl.Generator.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CtcDsl.Generator.Parsing;

/// <summary>
/// A streaming pass over the YAML events before any node tree is built. YamlDotNet's representation
/// model recurses once per nesting level and hashes a mapping key by walking everything it expands to,
/// so a deeply nested document overflows the compiler's stack and an alias bomb used as a key costs
/// seconds. The parser itself is an explicit state machine, so this pass is safe on any input: it bounds
/// nesting depth and the size of the document with every alias expanded, rejects aliases to no anchor
/// and a second document, and reports each at the offending node.
/// </summary>
internal static class YamlLimits
{
    /// <summary>Deepest nesting of mappings and lists a spec may use (real specs need about 6).</summary>
    public const int MaxDepth = 64;

    /// <summary>Most nodes a spec may hold once its aliases are expanded (a large real spec has a few thousand).</summary>
    public const int MaxExpandedNodes = 100_000;

    /// <summary>Reports the first limit the text breaks; returns false when it broke one (the text must not be loaded).</summary>
    public static bool Check(string text, SpecContext context)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, long>(System.StringComparer.Ordinal); // anchor → expanded size
        var open = new Stack<(string? Anchor, long Size)>();
        long total = 0;
        var documents = 0;
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            long size;
            switch (current)
            {
                case DocumentStart start when !start.IsImplicit || documents > 0:
                    if (++documents > 1)
                    {
                        context.Report(DiagnosticCatalog.YamlSyntax, YamlSpans.Of(current.Start, current.End),
                            "a spec holds one YAML document; remove this second one (after '---') or move it to its own file");
                        return false;
                    }
                    continue;
                case DocumentStart:
                    documents++;
                    continue;
                case MappingStart or SequenceStart:
                    if (open.Count >= MaxDepth)
                    {
                        context.Report(DiagnosticCatalog.SpecTooLarge, YamlSpans.Of(current.Start, current.End),
                            $"nesting deeper than {MaxDepth} levels", "flatten the structure");
                        return false;
                    }
                    var anchor = current is MappingStart m ? m.Anchor : ((SequenceStart)current).Anchor;
                    open.Push((anchor.IsEmpty ? null : anchor.Value, 1));
                    total++;
                    continue;
                case MappingEnd or SequenceEnd:
                    var (name, closed) = open.Pop();
                    if (name is not null) anchors[name] = closed;
                    AddToParent(open, closed);
                    continue;
                case Scalar scalar:
                    if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = 1;
                    size = 1;
                    break;
                case AnchorAlias alias:
                    if (!anchors.TryGetValue(alias.Value.Value, out size))
                    {
                        context.Report(DiagnosticCatalog.YamlSyntax, YamlSpans.Of(current.Start, current.End),
                            $"the alias '*{alias.Value.Value}' refers to no anchor defined before it; define '&{alias.Value.Value}' first or write the value out");
                        return false;
                    }
                    break;
                default:
                    continue;
            }
            total += size;
            AddToParent(open, size);
            if (total > MaxExpandedNodes)
            {
                context.Report(DiagnosticCatalog.SpecTooLarge, YamlSpans.Of(current.Start, current.End),
                    $"more than {MaxExpandedNodes:N0} values once aliases are expanded", "use fewer or smaller aliases");
                return false;
            }
        }
        return true;
    }

    private static void AddToParent(Stack<(string? Anchor, long Size)> open, long size)
    {
        if (open.Count == 0) return;
        var (parent, parentSize) = open.Pop();
        open.Push((parent, parentSize + size));
    }
}
