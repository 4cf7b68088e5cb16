using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Generator.Parsing;

/// <summary>
/// Finds the line whose indentation breaks a YAML document's block structure. YamlDotNet reports such a
/// mistake where its parser gives up (after the key, or on the next line) with a parser's words ("did
/// not find expected key"); the user needs the line that is indented wrongly and what to change.
/// </summary>
/// <remarks>
/// A plain-text scan, not a YAML parser: it follows block indentation (a key ending in ':' opens a deeper
/// level, a '- ' item opens one at its content's column), skips comments, block scalars and multi-line
/// flow collections, and reports only a line at or just before the one YamlDotNet stopped at. When it
/// finds nothing it says nothing, and the parser's own message stands.
/// </remarks>
internal static class YamlIndentation
{
    /// <summary>How many content lines before the parser's error line a mistake may be and still be named.</summary>
    private const int Reach = 3;

    /// <summary>The offset of the mistake and a hint saying what to change, or null when the indentation looks consistent up to <paramref name="errorLine"/> (0-based).</summary>
    public static (int Index, string Hint)? Find(string text, int errorLine)
    {
        var lines = Lines(text);
        if (lines.FirstOrDefault(l => l.Number <= errorLine && l.TabInIndent >= 0) is { } tabbed)
            return (tabbed.TabInIndent, $"a tab indents line {tabbed.Number + 1}; YAML indents with spaces only: replace the tab with spaces");

        // Every content line, so a mistake can be judged against the lines after it; only a line up to the
        // parser's error line is reported.
        var content = lines.Where(l => !l.Skipped).ToList();
        if (content.Count == 0 || content[0].Number > errorLine) return null;
        var step = UsualStep(content);
        // The open block levels, outermost first: their indentation and whether they hold '- ' items.
        var levels = new List<(int Indent, bool Items)> { (content[0].Indent, content[0].IsItem) };
        Line? previous = null, firstOfLevel = content[0];
        string? problem = null;
        Line? culprit = null;
        for (var i = 0; i < content.Count && content[i].Number <= errorLine; i++)
        {
            var line = content[i];
            var opened = previous is { Opens: true };
            var top = levels[levels.Count - 1];
            // The first line of a block and the next one disagree, and the lines after side with the next:
            // the first is the one indented wrongly.
            // With no line after to decide, the document's usual indentation step does.
            var firstIsOdd = previous is not null && previous == firstOfLevel && !opened && line.Indent != previous.Indent &&
                             line.Indent != previous.ContentColumn && (line.IsKey || line.IsItem) &&
                             (i + 1 < content.Count && content[i + 1].Indent == line.Indent ||
                              levels.Count > 1 && line.Indent == levels[levels.Count - 2].Indent + step);
            if (firstIsOdd)
            {
                problem = $"line {previous!.Number + 1} is indented {Spaces(previous.Indent)}, but line {line.Number + 1} after it is indented {Spaces(line.Indent)}: " +
                          "the entries of one mapping or list start in the same column";
                culprit = previous;
            }
            else if (line.Indent > top.Indent)
            {
                if (opened) { levels.Add((line.Indent, line.IsItem)); firstOfLevel = line; }
                else if (!line.IsKey && !line.IsItem) continue; // a plain scalar continued on the next line
                else problem = $"line {line.Number + 1} is indented {Spaces(line.Indent)}, deeper than line {previous!.Number + 1} ({previous.Indent}), " +
                               $"whose '{previous.Key ?? "-"}' already has its value on that line, so nothing can nest under it: indent it {Spaces(top.Indent)} to make it a sibling";
            }
            else if (levels.FindLastIndex(l => l.Indent == line.Indent) is var index && index < 0)
                problem = $"line {line.Number + 1} is indented {Spaces(line.Indent)}, which matches no enclosing level (the lines above it are indented " +
                          $"{string.Join(", ", levels.Select(l => l.Indent))}): align it with the entries of the mapping or list it belongs to";
            else if (levels[index].Items && !line.IsItem && previous is { IsItem: true } && previous == firstOfLevel && index > 0 &&
                     previous.Indent != levels[index - 1].Indent + step && line.Indent == previous.Indent)
            {
                // "- type: lstm" pushed as deep as the keys that follow it: the item is the line indented wrongly.
                problem = $"the '- ' on line {previous.Number + 1} is indented {Spaces(previous.Indent)}, as deep as the key on line {line.Number + 1} that belongs to its item: " +
                          $"indent the '- ' {Spaces(levels[index - 1].Indent + step)}, so its keys line up after it";
                culprit = previous;
            }
            else if (levels[index].Items && !line.IsItem)
                problem = $"line {line.Number + 1} starts in the column of the '- ' items above it but is not an item: start it with '- ' for a new item" +
                          (index + 1 < levels.Count ? $", or indent it {Spaces(levels[index + 1].Indent)} to belong to the item above" : "");
            else
            {
                levels.RemoveRange(index + 1, levels.Count - index - 1);
                // An opener whose next line is not deeper leaves its key empty; if the line after is deeper
                // still, this line was meant to be inside the opener.
                if (opened && previous!.Key is { } key && i + 1 < content.Count && content[i + 1].Indent > line.Indent && (content[i + 1].IsKey || content[i + 1].IsItem))
                {
                    var next = content[i + 1];
                    problem = $"'{key}:' on line {previous.Number + 1} opens a mapping, but line {line.Number + 1} is not indented under it " +
                              $"(so '{key}' is empty and line {next.Number + 1} belongs nowhere): indent line {line.Number + 1} by {Spaces(next.Indent)}, as line {next.Number + 1}";
                }
            }
            if (problem is not null) { culprit ??= line; break; }
            // An item with a key on its line ("- type: lstm") opens a mapping at the key's column.
            if (line.IsItem && line.ContentColumn is { } column) levels.Add((column, false));
            previous = line;
        }
        // Only a mistake at, or just before, where the parser stopped explains its error.
        return problem is not null && content.Count(l => l.Number > culprit!.Number && l.Number <= errorLine) <= Reach
            ? (culprit!.Start + culprit.Indent, problem) : null;
    }

    /// <summary>The most common number of spaces a key's block is indented under it (2 when there is none).</summary>
    private static int UsualStep(List<Line> content)
    {
        var steps = new Dictionary<int, int>();
        for (var i = 0; i + 1 < content.Count; i++)
            if (content[i].Opens && content[i + 1].Indent > content[i].Indent)
                steps[content[i + 1].Indent - content[i].Indent] = steps.TryGetValue(content[i + 1].Indent - content[i].Indent, out var n) ? n + 1 : 1;
        return steps.Count == 0 ? 2 : steps.OrderByDescending(p => p.Value).ThenBy(p => p.Key).First().Key;
    }

    private static string Spaces(int count) => count == 1 ? "1 space" : $"{count} spaces";

    private static List<Line> Lines(string text)
    {
        var lines = new List<Line>();
        var flowDepth = 0;
        var blockScalarIndent = -1;
        var start = 0;
        for (var number = 0; start <= text.Length; number++)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            var raw = text.Substring(start, end - start).TrimEnd('\r');
            var indent = 0;
            while (indent < raw.Length && raw[indent] == ' ') indent++;
            var tab = indent < raw.Length && raw[indent] == '\t' ? start + indent : -1;
            var body = StripComment(raw.Substring(indent)).TrimEnd();
            var blank = body.Length == 0;
            var inBlockScalar = blockScalarIndent >= 0 && (blank || indent > blockScalarIndent);
            if (!inBlockScalar) blockScalarIndent = -1;
            var skipped = blank || inBlockScalar || flowDepth > 0 || body.StartsWith("---") || body.StartsWith("...") || body.StartsWith("%");
            if (!inBlockScalar)
            {
                flowDepth = System.Math.Max(0, flowDepth + FlowBalance(body));
                if (IsBlockScalarHeader(body)) blockScalarIndent = indent;
            }
            lines.Add(new Line(number, start, indent, tab >= 0 && !inBlockScalar ? tab : -1, body, skipped));
            start = end + 1;
        }
        return lines;
    }

    /// <summary>The text before a comment ('#' at the start or after a space, outside quotes).</summary>
    private static string StripComment(string body)
    {
        char? quote = null;
        for (var i = 0; i < body.Length; i++)
        {
            var c = body[i];
            if (quote is { } q) { if (c == q) quote = null; continue; }
            if (c is '"' or '\'' && (i == 0 || body[i - 1] is ' ' or ':' or '-' or '[' or '{' or ',')) quote = c;
            else if (c == '#' && (i == 0 || body[i - 1] == ' ')) return body.Substring(0, i);
        }
        return body;
    }

    /// <summary>Opened minus closed flow brackets outside quotes.</summary>
    private static int FlowBalance(string body)
    {
        var balance = 0;
        char? quote = null;
        foreach (var c in body)
        {
            if (quote is { } q) { if (c == q) quote = null; continue; }
            if (c is '"' or '\'') quote = c;
            else if (c is '[' or '{') balance++;
            else if (c is ']' or '}') balance--;
        }
        return balance;
    }

    private static bool IsBlockScalarHeader(string body)
    {
        var header = body.TrimEnd();
        var bar = header.LastIndexOfAny(new[] { '|', '>' });
        if (bar < 0 || bar == 0 && header.Length > 3) return false;
        return (bar == 0 || header[bar - 1] == ' ') && header.Substring(bar + 1).All(c => c is '-' or '+' or (>= '1' and <= '9'));
    }

    /// <summary>One physical line: its 0-based number, offset, leading spaces and text without the comment.</summary>
    private sealed class Line(int number, int start, int indent, int tabInIndent, string body, bool skipped)
    {
        public int Number { get; } = number;
        public int Start { get; } = start;
        public int Indent { get; } = indent;
        public int TabInIndent { get; } = tabInIndent;
        public bool Skipped { get; } = skipped;

        /// <summary>A block sequence item ("- …").</summary>
        public bool IsItem => body == "-" || body.StartsWith("- ");

        /// <summary>The key of a "key: value" or "key:" line (after the dash of an item), if any.</summary>
        public string? Key
        {
            get
            {
                var rest = IsItem ? body.Substring(1).TrimStart() : body;
                var colon = rest.IndexOf(": ", System.StringComparison.Ordinal);
                if (colon < 0 && rest.EndsWith(":")) colon = rest.Length - 1;
                return colon > 0 && rest[0] is not ('{' or '[' or '"' or '\'') ? rest.Substring(0, colon).Trim() : null;
            }
        }

        public bool IsKey => Key is not null;

        /// <summary>Whether the next deeper line is inside this one: "key:" with no value, a bare "-", or "- key:".</summary>
        public bool Opens => body == "-" || body.EndsWith(":");

        /// <summary>For an item with a key on its line, the column its key starts at (its mapping's siblings align there).</summary>
        public int? ContentColumn
        {
            get
            {
                if (!IsItem || Key is null) return null;
                var spaces = 1;
                while (spaces < body.Length && body[spaces] == ' ') spaces++;
                return Indent + spaces;
            }
        }

    }
}
