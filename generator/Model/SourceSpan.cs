namespace CtcDsl.Generator.Model;

/// <summary>Where a YAML node is: character offset and length, and its 0-based start and end line/column.</summary>
internal sealed record SourceSpan(int Start, int Length, int Line, int Column, int EndLine, int EndColumn)
{
    public static SourceSpan Unknown { get; } = new(0, 0, 0, 0, 0, 0);
}
