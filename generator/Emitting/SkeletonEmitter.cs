using System.Collections.Generic;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Model;
using Scriban;
using Scriban.Runtime;

namespace CtcDsl.Generator.Emitting;

/// <summary>Prints a <see cref="ModelSkeleton"/> through the embedded template <c>Skeleton.sbncs</c>: placeholder types for a spec with errors.</summary>
internal static class SkeletonEmitter
{
    private static readonly Template template = ModelEmitter.LoadTemplate("Skeleton.sbncs");

    public static string Emit(ModelSkeleton skeleton)
    {
        var values = new ScriptObject();
        values.Import(new Dictionary<string, object?>
        {
            ["spec"] = CommentText(skeleton.SpecFileName),
            ["namespace"] = skeleton.Namespace,
            ["name"] = skeleton.TypeName,
            ["audio"] = skeleton.ReadsAudio,
            ["message"] = CSharpLiterals.String($"{skeleton.SpecFileName} has errors, so {skeleton.TypeName}Model was not generated: fix the CTC errors the build reported for that file."),
        }, null, null);
        var context = new TemplateContext { StrictVariables = true };
        context.PushGlobal(values);
        return template.Render(context).Replace("\r\n", "\n");
    }

    /// <summary>A file name safe in a <c>//</c> line and an XML doc comment: no line breaks (C# counts U+0085, U+2028 and U+2029 too), markup escaped.</summary>
    private static string CommentText(string text)
    {
        var safe = new System.Text.StringBuilder(text.Length);
        foreach (var c in text)
            safe.Append(char.IsControl(c) || c is '\u0085' or '\u2028' or '\u2029' ? '_' : c);
        return safe.ToString().Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
