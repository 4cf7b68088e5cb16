using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using TorchSharp;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// TorchSharp's native libraries: loading them with an error that says what is wrong and how to
/// fix it, instead of TorchSharp's type-initialiser failure.
/// </summary>
public static class NativeBackend
{
    private static int debugApplied;

    /// <summary>
    /// Loads libtorch and TorchSharp's shim (any first TorchSharp call does); the first time, with
    /// <c>CTCDSL_DEBUG=1</c>, makes libtorch's allocator fill new memory with NaNs (<see cref="NativeAllocator"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">They cannot be loaded; the message names the cause and the fix (<see cref="Explain"/>).</exception>
    public static void EnsureLoaded()
    {
        Load();
        if (System.Threading.Interlocked.Exchange(ref debugApplied, 1) == 0) NativeAllocator.ApplyDebugSetting();
    }

    /// <summary>Loads libtorch and the shim, nothing more.</summary>
    internal static void Load()
    {
        try
        {
            _ = torch.get_num_threads();
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or BadImageFormatException)
        {
            throw new InvalidOperationException(Explain(e), e);
        }
    }

    /// <summary>What <paramref name="failure"/> (from loading TorchSharp) means, with the fix.</summary>
    public static string Explain(Exception failure)
    {
        var detail = string.Join(" ← ", Chain(failure).Select(e => OneLine(e.Message)).Distinct());
        if (ShimLoadError() is { } loader) detail = loader + " | " + detail;
        var glibcxx = Regex.Match(detail, @"GLIBCXX_[0-9.]+");
        if (glibcxx.Success)
            return $"TorchSharp's native library needs {glibcxx.Value} from libstdc++, which this machine's libstdc++ lacks. " +
                   "The CtcDsl.Runtime package marks that need weak in the copy in your build output; a project that references the " +
                   "runtime by project reference must import build/CtcDsl.Torch.targets itself (<Import Project=\"…/build/CtcDsl.Torch.targets\" />), " +
                   $"or the machine needs GCC 13's libstdc++. ({detail})";
        if (detail.Contains("libtorch", StringComparison.Ordinal) || detail.Contains("torch_cpu", StringComparison.Ordinal))
            return "libtorch was not found: reference TorchSharp-cpu (CtcDslTorchBackend=cpu, the default) or, with " +
                   $"CtcDslTorchBackend=external, put a libtorch folder on LD_LIBRARY_PATH. ({detail})";
        return $"TorchSharp's native libraries failed to load: {detail}";
    }

    /// <summary>A message on one line: .NET puts the dynamic loader's words (the cause) on the lines after its own.</summary>
    private static string OneLine(string message) =>
        string.Join(" ", message.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private static System.Collections.Generic.IEnumerable<Exception> Chain(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e;
    }

    /// <summary>The dynamic loader's own words for the shim next to TorchSharp.dll (TorchSharp's message lacks them).</summary>
    private static string? ShimLoadError()
    {
        if (!OperatingSystem.IsLinux()) return null;
        var directory = AppContext.BaseDirectory;
        var shim = new[] { Path.Combine(directory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(directory, "libLibTorchSharp.so") }.FirstOrDefault(File.Exists);
        if (shim is null) return null;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(shim));
            return null;
        }
        catch (DllNotFoundException e)
        {
            return OneLine(e.Message);
        }
    }
}
