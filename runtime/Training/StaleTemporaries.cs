using System;
using System.IO;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Removes temporary files that a writer killed between writing and renaming left behind. Where other
/// writers may be at work (a shared feature cache) only old ones go, so a file in progress is never
/// touched; a training run, the only writer of its checkpoint folder, removes its own of any age when
/// it starts.
/// </summary>
public static class StaleTemporaries
{
    /// <summary>How old a temporary must be before a folder with other writers gives it up (a write takes far less).</summary>
    public static TimeSpan MaximumAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Deletes the files of <paramref name="directory"/> matching <paramref name="pattern"/> older than <paramref name="age"/> (default <see cref="MaximumAge"/>); returns how many.</summary>
    public static int Clean(string directory, string pattern, SearchOption search = SearchOption.TopDirectoryOnly, TimeSpan? age = null)
    {
        if (!Directory.Exists(directory)) return 0;
        var removed = 0;
        var cutoff = DateTime.UtcNow - (age ?? MaximumAge);
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
