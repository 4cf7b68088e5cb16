using System;
using System.IO;
using System.Text.RegularExpressions;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Analysis;

/// <summary>
/// Reads the names a broken spec's model would have, for <see cref="ModelSkeleton"/>: the top-level
/// <c>name</c>, <c>namespace</c> and <c>features</c> keys, found as plain lines. Lines rather than YAML
/// because the spec may not parse at all (an unclosed bracket still leaves its name readable), and
/// because a line scan cannot be made to spin or allocate by a hostile document.
/// </summary>
internal static class SkeletonReader
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(1);
    private static readonly Regex TopLevelName = new(@"^(name|namespace)[ \t]*:[ \t]*(['""]?)([^'""#\s]*)\2[ \t]*(#.*)?\r?$", RegexOptions.Multiline | RegexOptions.CultureInvariant, Limit);
    private static readonly Regex TopLevelFeatures = new(@"^features[ \t]*:", RegexOptions.Multiline | RegexOptions.CultureInvariant, Limit);

    /// <summary>The skeleton of the spec at <paramref name="filePath"/>, or null when its names are not valid C# (then user code cannot name the model either).</summary>
    public static ModelSkeleton? Read(string filePath, string text)
    {
        string? name = null, ns = null;
        bool audio;
        try
        {
            foreach (Match match in TopLevelName.Matches(text))
            {
                if (match.Groups[1].Value == "name") name ??= match.Groups[3].Value;
                else ns ??= match.Groups[3].Value;
            }
            audio = TopLevelFeatures.IsMatch(text);
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
        name ??= CSharpNames.NameFromFile(filePath);
        ns ??= SpecAnalyzer.DefaultNamespace;
        return CSharpNames.IsTypeName(name) && CSharpNames.IsNamespace(ns)
            ? new ModelSkeleton(Path.GetFileName(filePath), ns, name, audio)
            : null;
    }
}
