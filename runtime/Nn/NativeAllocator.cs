using System;
using System.Runtime.InteropServices;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// libtorch's CPU allocator (<c>c10::alloc_cpu</c>) and what it hands out: memory as the C library
/// left it, whatever the previous owner of that heap block wrote. A kernel that reads memory it
/// never wrote then gives results that depend on what ran before, not on its inputs — the NaNs of
/// issue 20 (<c>docs/native-memory.md</c>). c10 has two switches for this, exposed here:
/// <see cref="JunkFill"/> fills every allocation with NaNs, so that such a read shows on every run
/// (<c>CTCDSL_DEBUG=1</c> turns it on when the first model is created); <see cref="ZeroFill"/> zeroes
/// every allocation, which hides such reads rather than fixing them (the kernel of issue 20 was wrong
/// on zeroed memory too) and costs about 4% of a training step.
/// </summary>
public static class NativeAllocator
{
    private const string ZeroFillFlag = "FLAGS_caffe2_cpu_allocator_do_zero_fill";
    private const string JunkFillFlag = "FLAGS_caffe2_cpu_allocator_do_junk_fill";

    private static readonly Lazy<(IntPtr Zero, IntPtr Junk)> Flags = new(FindFlags);

    /// <summary>Whether this libtorch exposes the allocator's fill switches (false: the properties read false and ignore writes).</summary>
    public static bool Available => Flags.Value.Zero != IntPtr.Zero;

    /// <summary>Whether every CPU allocation of libtorch is zeroed before use. Turning it on turns <see cref="JunkFill"/> off.</summary>
    public static bool ZeroFill
    {
        get => Read(Flags.Value.Zero);
        set
        {
            // c10 aborts the process at the next allocation when both are on.
            if (value) Write(Flags.Value.Junk, false);
            Write(Flags.Value.Zero, value);
        }
    }

    /// <summary>
    /// Whether every CPU allocation of libtorch is filled with NaNs before use: a debugging aid that
    /// makes a read of unwritten memory show on every run. Turning it on turns <see cref="ZeroFill"/> off.
    /// </summary>
    public static bool JunkFill
    {
        get => Read(Flags.Value.Junk);
        set
        {
            if (value) Write(Flags.Value.Zero, false);
            Write(Flags.Value.Junk, value);
        }
    }

    /// <summary>With <c>CTCDSL_DEBUG=1</c>, turns <see cref="JunkFill"/> on (called when the first model is created).</summary>
    internal static void ApplyDebugSetting()
    {
        if (Environment.GetEnvironmentVariable("CTCDSL_DEBUG")?.Trim() == "1") JunkFill = true;
    }

    private static bool Read(IntPtr flag) => flag != IntPtr.Zero && Marshal.ReadByte(flag) != 0;

    private static void Write(IntPtr flag, bool value)
    {
        if (flag != IntPtr.Zero) Marshal.WriteByte(flag, value ? (byte)1 : (byte)0);
    }

    // The flags are C++ globals of libc10 (plain names on ELF and Mach-O, decorated by MSVC).
    private static (IntPtr, IntPtr) FindFlags()
    {
        NativeBackend.Load(); // libc10 is loaded with libtorch; this finds that copy, never a second one
        var names = OperatingSystem.IsWindows() ? new[] { "c10.dll" } : OperatingSystem.IsMacOS() ? new[] { "libc10.dylib" } : new[] { "libc10.so" };
        foreach (var name in names)
        {
            if (!NativeLibrary.TryLoad(name, typeof(NativeAllocator).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.AssemblyDirectory, out var library)
                && !NativeLibrary.TryLoad(name, out library)) continue;
            return (Export(library, ZeroFillFlag), Export(library, JunkFillFlag));
        }
        return (IntPtr.Zero, IntPtr.Zero);
    }

    private static IntPtr Export(IntPtr library, string flag) =>
        NativeLibrary.TryGetExport(library, flag, out var address) || NativeLibrary.TryGetExport(library, $"?{flag}@@3_NA", out address) ? address : IntPtr.Zero;
}
