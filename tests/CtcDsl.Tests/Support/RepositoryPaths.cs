using System;
using System.IO;

namespace CtcDsl.Tests.Support;

/// <summary>Locations in the repository and beside it.</summary>
internal static class RepositoryPaths
{
    /// <summary>The folder holding CtcDsl.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>specs/ in the repository.</summary>
    public static string Specs => Path.Combine(Root, "specs");

    /// <summary>../shared/data/ldc93s1 next to the repository (null when absent).</summary>
    public static string? Ldc93s1Data
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data", "ldc93s1"));
            return File.Exists(Path.Combine(path, "LDC93S1.wav")) ? path : null;
        }
    }

    /// <summary>
    /// CI sets CTCDSL_REQUIRE_DATA=1: tests that need ../shared/data then fail instead of skipping.
    /// </summary>
    public static bool DataRequired => Environment.GetEnvironmentVariable("CTCDSL_REQUIRE_DATA") == "1";

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CtcDsl.sln"))) return dir.FullName;
        throw new InvalidOperationException($"CtcDsl.sln not found above {AppContext.BaseDirectory}.");
    }
}
