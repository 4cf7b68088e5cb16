using System.Globalization;
using System.Text;

namespace CtcDsl.Generator.CSharp;

/// <summary>C# literals for values that come from a spec: invariant, round-trippable, escaped.</summary>
internal static class CSharpLiterals
{
    public static string Double(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains(".") || text.Contains("E") || text.Contains("e") ? text : text + ".0";
    }

    public static string Bool(bool value) => value ? "true" : "false";

    public static string String(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value) builder.Append(Escape(c, '"'));
        return builder.Append('"').ToString();
    }

    public static string Char(string value) => "'" + Escape(value[0], '\'') + "'";

    private static string Escape(char c, char quote) => c switch
    {
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        '\0' => "\\0",
        _ when c == quote => "\\" + c,
        // Control, format and separator characters (U+2028 ends a line in C#) and lone surrogates are written as escapes.
        _ when char.IsControl(c) || char.IsSurrogate(c) || IsInvisible(c) => "\\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture),
        _ => c.ToString(),
    };

    private static bool IsInvisible(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned or UnicodeCategory.PrivateUse;
}
