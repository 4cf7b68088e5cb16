using System.Collections.Generic;

namespace CtcDsl.Generator.Parsing;

/// <summary>
/// Finds a flow bracket or quote that is never closed. YamlDotNet reports such a mistake where it gives
/// up (often lines later); the user needs the place it was opened.
/// </summary>
internal static class YamlUnclosed
{
    /// <summary>The offset and character of the innermost opener left unclosed at the end of the text, if any.</summary>
    public static (int Index, char Opener)? Find(string text)
    {
        var open = new Stack<(int Index, char Opener)>();
        char? quote = null;
        var quoteAt = 0;
        var previous = '\n'; // the last significant character: an opener only starts a value after these
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote is { } q)
            {
                if (c == '\\' && q == '"') { i++; continue; }
                if (c == q)
                {
                    if (q == '\'' && i + 1 < text.Length && text[i + 1] == '\'') { i++; continue; } // '' escapes a quote
                    quote = null;
                    previous = c;
                }
                continue;
            }
            if (c == '#' && (i == 0 || text[i - 1] is ' ' or '\t' or '\n' or '\r'))
            {
                while (i < text.Length && text[i] != '\n') i++;
                previous = '\n';
                continue;
            }
            if (c is ' ' or '\t' or '\r') continue;
            var startsValue = previous is '\n' or ':' or '-' or ',' or '[' or '{' or '?';
            if (startsValue && c is '"' or '\'') { quote = c; quoteAt = i; }
            else if (startsValue && c is '[' or '{') open.Push((i, c));
            else if (c is ']' or '}' && open.Count > 0 && open.Peek().Opener == (c == ']' ? '[' : '{')) open.Pop();
            previous = c;
        }
        if (quote is { } unclosed) return (quoteAt, unclosed);
        return open.Count > 0 ? open.Peek() : null;
    }
}
