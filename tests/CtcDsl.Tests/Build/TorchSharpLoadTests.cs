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

    [SkippableFact]
    public void A_shim_this_libstdcxx_cannot_load_gets_an_error_that_names_the_fix()
    {
        Skip.IfNot(OperatingSystem.IsLinux());
        // The shim as shipped (its GLIBCXX need strong again), loaded from a folder of its own: on a
        // host whose libstdc++ is older than GCC 13 (Debian 12) the dynamic loader refuses it.
        var shipped = File.ReadAllBytes(OutputLibrary);
        ClearWeak(shipped);
        var folder = Directory.CreateTempSubdirectory("ctcdsl-shim-").FullName;
        try
        {
            var path = Path.Combine(folder, "libLibTorchSharp.so");
            File.WriteAllBytes(path, shipped);
            DllNotFoundException? refused = null;
            try { System.Runtime.InteropServices.NativeLibrary.Free(System.Runtime.InteropServices.NativeLibrary.Load(path)); }
            catch (DllNotFoundException e) { refused = e; }
            Skip.If(refused is null, "this host's libstdc++ has GLIBCXX_3.4.32: the shim loads as shipped");

            var message = CtcDsl.Runtime.Nn.NativeBackend.Explain(new TypeInitializationException("TorchSharp.torch", refused));
            Assert.Contains("needs GLIBCXX_3.4.32 from libstdc++", message);
            Assert.Contains("build/CtcDsl.Torch.targets", message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Other_load_failures_are_explained_too()
    {
        var missing = CtcDsl.Runtime.Nn.NativeBackend.Explain(new DllNotFoundException("Unable to load shared library 'torch_cpu' or one of its dependencies"));
        Assert.StartsWith("libtorch was not found", missing);
        var other = CtcDsl.Runtime.Nn.NativeBackend.Explain(new BadImageFormatException("wrong architecture"));
        Assert.StartsWith("TorchSharp's native libraries failed to load: wrong architecture", other);
    }

    /// <summary>Clears the weak bit of every need of the version; returns how many needs there are.</summary>
    private static int ClearWeak(byte[] elf)
    {
        var offsets = ElfVersionNeeds.FindFlagOffsets(elf, Version);
        foreach (var offset in offsets) elf[offset] = (byte)(elf[offset] & ~ElfVersionNeeds.VerFlagWeak);
        return offsets.Length;
    }
}
