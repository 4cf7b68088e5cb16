using CtcDsl.Generator.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Parsing;

internal static class YamlSpans
{
    /// <summary>The node's span; YamlDotNet marks are 1-based lines and columns, Roslyn's are 0-based.</summary>
    /// <summary>The one character at <paramref name="index"/> of <paramref name="text"/> (0-based line and column).</summary>
    public static SourceSpan At(string text, int index)
    {
        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        return new SourceSpan(index, 1, line, index - lineStart, line, index - lineStart + 1);
    }

    public static SourceSpan Of(YamlNode node) => Of(node.Start, node.End);

    public static SourceSpan Of(Mark start, Mark end)
    {
        var length = (int)(end.Index - start.Index);
        return new SourceSpan((int)start.Index, length < 0 ? 0 : length,
            (int)start.Line - 1, (int)start.Column - 1, (int)end.Line - 1, (int)end.Column - 1);
    }
}
