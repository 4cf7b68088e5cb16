using System.IO;
using System.Linq;

namespace CtcDsl.GpuCheck;

/// <summary>Which libtorch the process actually mapped: the proof that the kit used the machine's PyTorch.</summary>
internal static class NativeLibraries
{
    public static string Describe()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return "(no /proc/self/maps)";
        var libraries = File.ReadLines(maps)
            .Select(l => l.Split(' ', System.StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Where(p => p.StartsWith('/') && (p.Contains("libtorch_c") || p.Contains("libLibTorchSharp") || p.Contains("libcudnn.so") || p.Contains("libcudart")))
            .Distinct()
            .OrderBy(p => p);
        return string.Join("; ", libraries);
    }
}
