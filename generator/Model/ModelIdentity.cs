using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;

namespace CtcDsl.Generator.Model;

/// <summary>
/// What a spec generates into the project: its types' full name and the generated file's hint name,
/// with where the spec names its model (for the project-level duplicate check).
/// </summary>
internal sealed record ModelIdentity(string Path, string FullName, string HintName, SourceSpan NameSpan)
{
    public static ModelIdentity Of(string path, ModelPlan plan, SourceSpan nameSpan) =>
        new(path, plan.Namespace + "." + plan.TypeName, HintNameOf(plan.Namespace, plan.TypeName), nameSpan);

    /// <summary>The identity of a spec with errors whose placeholders are generated (they clash like a model would).</summary>
    public static ModelIdentity Of(string path, ModelSkeleton skeleton, SourceSpan nameSpan) =>
        new(path, skeleton.Namespace + "." + skeleton.TypeName, HintNameOf(skeleton.Namespace, skeleton.TypeName), nameSpan);

    /// <summary>
    /// The generated file's name: the full type name, dots kept (so <c>My_Models.X</c> and <c>My.Models.X</c>
    /// stay apart) and any character outside ASCII letters, digits and '_' replaced (hint names allow few).
    /// </summary>
    public static string HintNameOf(string ns, string typeName)
    {
        var builder = new StringBuilder();
        foreach (var c in ns + "." + typeName)
            builder.Append(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '.' ? c : '_');
        return builder.Append(".g.cs").ToString();
    }

    /// <summary>Identities whose hint names collide (the compiler compares them ignoring case), each with the other specs' file names.</summary>
    public static EquatableArray<Clash> FindClashes(ImmutableArray<ModelIdentity?> identities) =>
        identities.Where(i => i is not null).Select(i => i!)
            .GroupBy(i => i.HintName, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .SelectMany(g => g.Select(i => new Clash(i, string.Join(", ", g.Where(o => !ReferenceEquals(o, i)).Select(o => System.IO.Path.GetFileName(o.Path)).OrderBy(n => n, StringComparer.Ordinal)))))
            .OrderBy(c => c.Identity.Path, StringComparer.Ordinal)
            .ToEquatableArray();
}

/// <summary>A spec whose model clashes with <see cref="Others"/> (file names).</summary>
internal sealed record Clash(ModelIdentity Identity, string Others);
