using System;
using System.Globalization;
using System.IO;
using System.Linq;

namespace CtcDsl.Tool;

/// <summary>
/// A folder per training run, <c>runs/&lt;spec&gt;-&lt;n&gt;</c>, n one past the highest taken: a new run
/// never overwrites an earlier one. Checkpoints given as a run folder resolve to its best (else last) checkpoint.
/// </summary>
public static class RunFolders
{
    /// <summary>Creates and returns the next free <c>&lt;root&gt;/&lt;name&gt;-&lt;n&gt;</c>.</summary>
    public static string CreateNext(string root, string name)
    {
        Directory.CreateDirectory(root);
        var prefix = name + "-";
        var taken = Directory.EnumerateDirectories(root)
            .Select(Path.GetFileName)
            .Where(d => d!.StartsWith(prefix, StringComparison.Ordinal))
            .Select(d => int.TryParse(d![prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0)
            .DefaultIfEmpty(0)
            .Max();
        for (var n = taken + 1; ; n++)
        {
            var folder = Path.Combine(root, prefix + n.ToString(CultureInfo.InvariantCulture));
            if (Directory.Exists(folder)) continue;
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>Deletes <paramref name="folder"/> if it holds nothing (a run that failed before writing).</summary>
    public static void RemoveIfEmpty(string folder)
    {
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }

    /// <summary>
    /// A checkpoint file, or a run folder's <c>best.ckpt</c> (else <c>last.ckpt</c>, else <c>model.ckpt</c>).
    /// </summary>
    /// <exception cref="FileNotFoundException">Neither a file nor a run folder with a checkpoint.</exception>
    public static string ResolveCheckpoint(string path, bool preferLast = false)
    {
        if (File.Exists(path)) return path;
        if (Directory.Exists(path))
        {
            var order = preferLast ? new[] { "last.ckpt", "best.ckpt", "model.ckpt" } : new[] { "best.ckpt", "last.ckpt", "model.ckpt" };
            foreach (var name in order)
                if (File.Exists(Path.Combine(path, name))) return Path.Combine(path, name);
            throw new FileNotFoundException($"{path}: a folder without a checkpoint (best.ckpt, last.ckpt or model.ckpt); did its run finish an epoch?");
        }
        throw new FileNotFoundException($"{path}: no such checkpoint file or run folder.");
    }
}
