using System;
using System.IO;
using System.Linq;
using CtcDsl.Build;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Build;

/// <summary>The Debian 12 libstdc++ fix (build/WeakenGlibcxxNeed.cs) and TorchSharp loading.</summary>
public class TorchSharpLoadTests
{
    private const string Version = "GLIBCXX_3.4.32";

    private static string OutputLibrary =>
        new[] { Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so") }
            .FirstOrDefault(File.Exists) ?? throw new FileNotFoundException("libLibTorchSharp.so not found in the test output.");

    [Fact]
    public void TorchSharp_loads_and_runs_an_op()
    {
        using var a = tensor(new float[] { 1, 2, 3 });
        using var b = (a * a).sum();
        Assert.Equal(14f, b.item<float>());
    }

    [Fact]
    public void Build_output_library_is_patched_exactly_when_the_host_needs_it()
    {
        Skip.IfNot(OperatingSystem.IsLinux());
        var host = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        var hostHasVersion = host is not null && ElfVersionNeeds.MentionsVersion(File.ReadAllBytes(host), Version);

        var flags = ElfVersionNeeds.ReadFlags(File.ReadAllBytes(OutputLibrary), Version);

        Assert.NotEmpty(flags); // TorchSharp 0.107 does need the version
        Assert.All(flags, f => Assert.Equal(hostHasVersion ? 0 : ElfVersionNeeds.VerFlagWeak, f & ElfVersionNeeds.VerFlagWeak));
    }

    [Fact]
    public void Patch_changes_only_the_flag_and_is_idempotent()
    {
        Skip.IfNot(OperatingSystem.IsLinux());
        var original = File.ReadAllBytes(OutputLibrary);
        // Undo the build's patch on a copy to get the library as shipped, then patch it again.
        var shipped = (byte[])original.Clone();
        var strong = ClearWeak(shipped);
        Assert.True(strong > 0);

        var once = (byte[])shipped.Clone();
        Assert.Equal(ElfVersionNeeds.Outcome.Patched, ElfVersionNeeds.MarkWeak(once, Version));
        Assert.Equal(strong, Enumerable.Range(0, once.Length).Count(i => once[i] != shipped[i])); // one byte per need

        var twice = (byte[])once.Clone();
        Assert.Equal(ElfVersionNeeds.Outcome.AlreadyWeak, ElfVersionNeeds.MarkWeak(twice, Version));
        Assert.Equal(once, twice);

        Assert.Equal(ElfVersionNeeds.Outcome.NotNeeded, ElfVersionNeeds.MarkWeak(twice, "GLIBCXX_9.9.99"));
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.MarkWeak(new byte[100], Version));
    }

    /// <summary>Clears the weak bit of every need of the version; returns how many needs there are.</summary>
    private static int ClearWeak(byte[] elf)
    {
        var offsets = ElfVersionNeeds.FindFlagOffsets(elf, Version);
        foreach (var offset in offsets) elf[offset] = (byte)(elf[offset] & ~ElfVersionNeeds.VerFlagWeak);
        return offsets.Length;
    }
}
