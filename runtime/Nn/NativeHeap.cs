using System;
using System.Collections;
using System.Runtime.InteropServices;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Keeps glibc's heap from growing with the number of distinct batch shapes. glibc raises its mmap
/// threshold each time a large block is freed, so after a while libtorch's multi-megabyte batch and
/// activation tensors come from the heap instead of fresh mappings, and freed heap memory is kept:
/// an epoch over 20 hours of bucketed batches grew resident memory from 0.7 to 1 GB in three epochs
/// (bench --stream-corpus). Fixing the trim threshold switches that adaptation off, so large
/// tensors are mapped and unmapped and resident memory stays flat (about 290 MB there), at some
/// cost in page faults for allocation-heavy small models. Applied when a data set is streamed from
/// disk, unless the user has set any MALLOC_ variable (theirs wins); glibc on Linux only.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1; // M_TRIM_THRESHOLD

    /// <summary>Whether glibc's adaptive mmap threshold has been switched off in this process.</summary>
    public static bool KeptFlat { get; private set; }

    /// <summary>Switches glibc's adaptive mmap threshold off (see the class remarks); false where that does not apply.</summary>
    public static bool KeepFlat()
    {
        if (KeptFlat) return true;
        if (!OperatingSystem.IsLinux()) return false;
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
            if (variable.Key is string name && name.StartsWith("MALLOC_", StringComparison.Ordinal)) return false;
        try
        {
            return KeptFlat = mallopt(TrimThreshold, 1 << 20) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc (musl has no mallopt)
        }
    }

    [DllImport("libc.so.6")]
    private static extern int mallopt(int parameter, int value);
}
