using System;
using System.Collections.Generic;
using System.IO;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.Tool;

/// <summary>Runs the built ctcdsl tool as a child process in a working folder, as a user would.</summary>
internal static class ToolProcess
{
    /// <summary>tool/bin/&lt;configuration&gt;/net10.0/ctcdsl.dll, built by the test project (ProjectReference).</summary>
    public static string Assembly
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
            var path = Path.Combine(RepositoryPaths.Root, "tool", "bin", configuration, "net10.0", "ctcdsl.dll");
            Assert.True(File.Exists(path), $"{path} is missing: the test project builds it (ProjectReference).");
            return path;
        }
    }

    /// <summary>Runs <c>ctcdsl <paramref name="arguments"/></c> in <paramref name="directory"/> with one libtorch thread; returns the exit code and stdout + stderr.</summary>
    public static (int ExitCode, string Output) Run(string directory, params string[] arguments)
    {
        var environment = new Dictionary<string, string?> { ["CTCDSL_THREADS"] = "1", ["CTCDSL_DEBUG"] = null, ["CI"] = "1" };
        return FreshProcess.DotnetIn(directory, Assembly, environment, arguments);
    }
}
