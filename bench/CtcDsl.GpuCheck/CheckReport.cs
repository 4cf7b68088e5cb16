using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace CtcDsl.GpuCheck;

/// <summary>What the checks found: printed as it happens and saved as one Markdown file.</summary>
internal sealed class CheckReport(string path)
{
    private readonly List<string> lines = new();

    public int Failures { get; private set; }

    public void Line(string text = "")
    {
        Console.WriteLine(text);
        Console.Out.Flush();
        lines.Add(text);
    }

    /// <summary>Runs one check; an exception is a failure with its message, never the end of the run.</summary>
    public void Check(string name, Func<(bool Ok, string Detail)> check)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string verdict, detail;
        try
        {
            var (ok, text) = check();
            verdict = ok ? "PASS" : "FAIL";
            detail = text;
        }
        catch (Exception e)
        {
            var cause = e is System.Reflection.TargetInvocationException { InnerException: { } inner } ? inner : e;
            verdict = "FAIL";
            detail = $"{cause.GetType().Name}: {cause.Message.Split('\n')[0]}";
            Console.Error.WriteLine(cause); // the whole story, for the log
        }
        if (verdict == "FAIL") Failures++;
        Line($"- **{verdict}** {name} ({clock.Elapsed.TotalSeconds:F1} s): {detail}");
    }

    /// <summary>Runs a measurement; an exception is reported, not counted as a failed check.</summary>
    public void Measure(string name, Action measure)
    {
        try { measure(); }
        catch (Exception e)
        {
            Line($"- {name}: not measured — {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            Console.Error.WriteLine(e);
        }
    }

    public void Save()
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllLines(path, lines);
    }

    public static string Join(IEnumerable<double> values, string format) => string.Join(", ", values.Select(v => v.ToString(format, System.Globalization.CultureInfo.InvariantCulture)));
}
