using System;
using System.Runtime.InteropServices;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// libtorch's CPU allocator (<c>c10::alloc_cpu</c>) and what it hands out.
/// <para>
/// It returns memory as the C library left it: whatever the previous owner of that heap block wrote.
/// Some kernels read memory they never wrote. The one that made every conv1d + GRU spec train to NaN
/// on some machines (issue 20, <c>docs/native-memory.md</c>): libtorch 2.10's oneDNN convolution
/// reorders the weights into a blocked layout whose input channels are padded to a multiple of the
/// vector width (26 → 32), in a buffer from this allocator, and never writes the padded lanes; the
/// kernel multiplies them by the input's zero padding, and 0 × NaN is NaN. Whether the old bytes hold
/// a NaN depends on what ran before (a GRU's buffers did), so the fault came and went with memory
/// history, not with the inputs.
/// </para>
/// <para>
/// c10 has a switch for this: <c>FLAGS_caffe2_cpu_allocator_do_zero_fill</c> zeroes every CPU
/// allocation, which gives exactly the zero padding the kernels assume and makes results independent
/// of memory history. <see cref="NativeBackend.EnsureLoaded"/> turns it on (every model's constructor
/// calls it); <c>CTCDSL_ZERO_FILL=0</c> leaves it off. Its twin, <see cref="JunkFill"/>, fills every
/// allocation with NaNs instead, so that a read of unwritten memory shows on every run.
/// </para>
/// </summary>
public static class NativeAllocator
{
    /// <summary>Environment variable: <c>0</c> leaves libtorch's allocator as it is (not recommended; see the class remarks).</summary>
    public const string ZeroFillVariable = "CTCDSL_ZERO_FILL";

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

    /// <summary>Turns <see cref="ZeroFill"/> on unless <c>CTCDSL_ZERO_FILL=0</c>; returns whether it is on.</summary>
    internal static bool Protect()
    {
        if (Environment.GetEnvironmentVariable(ZeroFillVariable)?.Trim() == "0") return ZeroFill;
        ZeroFill = true;
        return ZeroFill;
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
