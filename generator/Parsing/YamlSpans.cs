using CtcDsl.Generator.Model;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CtcDsl.Generator.Parsing;

internal static class YamlSpans
{
    /// <summary>The node's span; YamlDotNet marks are 1-based lines and columns, Roslyn's are 0-based.</summary>
    public static SourceSpan Of(YamlNode node) => Of(node.Start, node.End);

    public static SourceSpan Of(Mark start, Mark end)
    {
        var length = (int)(end.Index - start.Index);
        return new SourceSpan((int)start.Index, length < 0 ? 0 : length,
            (int)start.Line - 1, (int)start.Column - 1, (int)end.Line - 1, (int)end.Column - 1);
    }
}
