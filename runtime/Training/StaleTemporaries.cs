using System;
using System.IO;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Removes temporary files that a writer killed between writing and renaming left behind. Only old
/// ones go (an hour by default), so a concurrent writer's file in progress is never touched.
/// </summary>
public static class StaleTemporaries
{
    /// <summary>How old a temporary must be before it is removed.</summary>
    public static TimeSpan MaximumAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Deletes the files of <paramref name="directory"/> matching <paramref name="pattern"/> older than <see cref="MaximumAge"/>; returns how many.</summary>
    public static int Clean(string directory, string pattern, SearchOption search = SearchOption.TopDirectoryOnly)
    {
        if (!Directory.Exists(directory)) return 0;
        var removed = 0;
        var cutoff = DateTime.UtcNow - MaximumAge;
        try
        {
            foreach (var file in Directory.EnumerateFiles(directory, pattern, search))
            {
                try
                {
                    if (File.GetLastWriteTimeUtc(file) >= cutoff) continue;
                    File.Delete(file);
                    removed++;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Another process removed or holds it: nothing to do.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable folder is not this cleaner's problem; the write that follows reports it.
        }
        return removed;
    }
}
