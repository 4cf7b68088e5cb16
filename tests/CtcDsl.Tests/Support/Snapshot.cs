using System;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace CtcDsl.Tests.Support;

/// <summary>
/// Snapshot assertions following Verify's conventions, so a later move to Verify.Xunit is mechanical:
/// the expected text is <c>{Class}.{Method}_{parameter}.verified.{ext}</c> beside the test source; a
/// mismatch writes <c>.received.{ext}</c> next to it and fails with a line diff (DiffPlex). Set
/// <c>CTCDSL_ACCEPT_SNAPSHOTS=1</c> to write received text over the verified file instead of failing.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "CTCDSL_ACCEPT_SNAPSHOTS";

    public static void Verify(
        string actual,
        string parameter,
        string extension = "cs",
        [CallerFilePath] string sourceFile = "",
        [CallerMemberName] string method = "")
    {
        var directory = Path.GetDirectoryName(sourceFile)!;
        var stem = $"{Path.GetFileNameWithoutExtension(sourceFile)}.{method}_{parameter}";
        var verifiedPath = Path.Combine(directory, $"{stem}.verified.{extension}");
        var receivedPath = Path.Combine(directory, $"{stem}.received.{extension}");
        actual = Normalize(actual);

        var expected = File.Exists(verifiedPath) ? Normalize(File.ReadAllText(verifiedPath)) : null;
        if (expected == actual)
        {
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }
        if (Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            File.WriteAllText(verifiedPath, actual, new UTF8Encoding(false));
            if (File.Exists(receivedPath)) File.Delete(receivedPath);
            return;
        }

        File.WriteAllText(receivedPath, actual, new UTF8Encoding(false));
        var message = expected is null
            ? $"No verified snapshot {verifiedPath}. Review {receivedPath} and rename it to .verified.{extension} (or run with {AcceptVariable}=1)."
            : $"Snapshot {verifiedPath} differs from the received text ({receivedPath}). Review the diff; accept with {AcceptVariable}=1.\n{Diff(expected, actual)}";
        throw new XunitException(message);
    }

    /// <summary>A unified-style diff of changed lines with two lines of context.</summary>
    public static string Diff(string expected, string actual)
    {
        var model = InlineDiffBuilder.Diff(expected, actual, ignoreWhiteSpace: false);
        var builder = new StringBuilder();
        var lines = model.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            var near = false;
            for (var j = Math.Max(0, i - 2); j <= Math.Min(lines.Count - 1, i + 2) && !near; j++)
                near = lines[j].Type != ChangeType.Unchanged;
            if (!near) continue;
            var prefix = lines[i].Type switch { ChangeType.Inserted => "+ ", ChangeType.Deleted => "- ", _ => "  " };
            builder.Append(prefix).Append(lines[i].Position?.ToString() ?? "").Append('\t').AppendLine(lines[i].Text);
        }
        return builder.ToString();
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');
}
