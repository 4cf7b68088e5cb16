using System;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// libtorch's CPU threads, chosen for the CPUs this process may actually use.
/// <para>
/// libtorch's OpenMP threads busy-wait at every barrier by default. When another process holds one
/// of the cores, the thread that shares it is descheduled while its partners spin for it, and a
/// 2-core machine ran training 35× slower instead of 2× (issue 11). With OpenMP's passive wait policy
/// waiting threads sleep, and the slowdown follows the share of CPU lost. The policy is read once,
/// when libtorch's OpenMP runtime loads, so it is set in the native environment when this assembly
/// is first used (unless <c>OMP_WAIT_POLICY</c> is already set); libtorch loaded earlier by other
/// code keeps its own policy (<see cref="PassiveWait"/> says which).
/// </para>
/// <para>
/// Thread counts: <c>CTCDSL_THREADS</c> and <c>CTCDSL_INTEROP_THREADS</c> when set, else a count
/// chosen before the first model (<c>torch.set_num_threads</c>, <c>OMP_NUM_THREADS</c>), else
/// <see cref="Environment.ProcessorCount"/>, which counts the CPUs of the process's affinity mask
/// and its cgroup quota, not the host's; <c>Fit</c> then fits that last, CtcDsl-chosen count to the
/// model (<see cref="PlanForTraining"/>). Results depend on the intra-op thread count (reductions
/// split differently): the same seed gives the same history only at the same thread count.
/// </para>
/// </summary>
public static class TorchThreads
{
    /// <summary>Environment variable: intra-op threads (a positive integer).</summary>
    public const string ThreadsVariable = "CTCDSL_THREADS";

    /// <summary>Environment variable: inter-op threads (a positive integer).</summary>
    public const string InteropThreadsVariable = "CTCDSL_INTEROP_THREADS";

    private static readonly object Gate = new();
    private static bool configured;
    private static bool interopSet;
    // The count CtcDsl chose on its own (no argument, no variable, no earlier choice of the
    // application); null once anyone else chose. Only such a count is ever replaced by a plan.
    private static int? ownChoice;
    private static string? reason;

    /// <summary>Whether OpenMP's waiting threads sleep rather than spin in this process (null: unknown).</summary>
    public static bool? PassiveWait { get; private set; }

    /// <summary>The intra-op threads in use (after <see cref="Configure"/>).</summary>
    public static int Threads => get_num_threads();

    /// <summary>"2 CPU threads, OpenMP waits passively": for run headers.</summary>
    public static string Describe() =>
        $"{Threads} CPU thread{(Threads == 1 ? "" : "s")}{(reason is null ? "" : $" ({reason})")}, OpenMP " + PassiveWait switch
        {
            true => "waits passively",
            false => "spins while waiting (OMP_WAIT_POLICY)",
            null => "waits as loaded before CtcDsl",
        };

    // A module initializer because the policy must be in place before libtorch loads, which the
    // first TorchSharp call anywhere in the process does.
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries", Justification = "Must run before libtorch's OpenMP runtime reads its environment.")]
    internal static void PrepareEnvironment()
    {
        if (!OperatingSystem.IsLinux()) return;
        var policy = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY");
        if (policy is not null) { PassiveWait = policy.Equals("PASSIVE", StringComparison.OrdinalIgnoreCase); return; }
        if (LibTorchLoaded()) return; // too late: OpenMP has read its environment (PassiveWait stays unknown)
        try
        {
            // Environment.SetEnvironmentVariable changes only .NET's copy on Unix; OpenMP reads the C library's.
            PassiveWait = setenv("OMP_WAIT_POLICY", "PASSIVE", 0) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc: OpenMP keeps its default.
        }
    }

    /// <summary>
    /// Sets libtorch's intra-op (and, the first time, inter-op) threads: <paramref name="threads"/>
    /// when given, else <c>CTCDSL_THREADS</c>, else a count chosen before CtcDsl (the application's
    /// <c>torch.set_num_threads</c>, <c>OMP_NUM_THREADS</c>), else the CPUs this process may use. Called by every
    /// model's constructor with no argument (once per process) and by <c>Fit</c> with
    /// <see cref="Training.FitOptions.Threads"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    /// <exception cref="FormatException">An environment variable is not a positive integer (it is named).</exception>
    public static void Configure(int? threads = null, int? interopThreads = null)
    {
        if (threads is < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread.");
        if (interopThreads is < 1) throw new ArgumentOutOfRangeException(nameof(interopThreads), interopThreads, "At least one thread.");
        lock (Gate)
        {
            if (threads is null && interopThreads is null && configured) return;
            var (explicitCount, source) = threads is { } asked ? (asked, "as the application asked")
                : FromEnvironment(ThreadsVariable) is { } variable ? (variable, ThreadsVariable)
                : ChosenElsewhere() is { } elsewhere ? (elsewhere, "set before CtcDsl")
                : ((int?)null, (string?)null);
            var intra = explicitCount ?? Environment.ProcessorCount;
            if (get_num_threads() != intra) set_num_threads(intra);
            ownChoice = explicitCount is null ? intra : null;
            reason = source;
            // libtorch accepts the inter-op count once, before inter-op work starts.
            if (!interopSet)
            {
                var inter = interopThreads ?? FromEnvironment(InteropThreadsVariable) ?? Math.Max(1, Math.Min(intra, 4));
                try { set_num_interop_threads(inter); }
                catch (ExternalException) { } // already started: libtorch keeps its count
                interopSet = true;
            }
            configured = true;
        }
    }

    /// <summary>
    /// Fits the intra-op threads to <paramref name="model"/>'s training step (<see cref="ThreadPlan"/>)
    /// unless the count was chosen by the user: <c>CTCDSL_THREADS</c>, <see cref="Training.FitOptions.Threads"/>,
    /// <c>OMP_NUM_THREADS</c>/<c>MKL_NUM_THREADS</c>, or <c>torch.set_num_threads</c> before or after the
    /// model was created. Called by <c>Fit</c>.
    /// </summary>
    public static void PlanForTraining(nn.Module model, int batchSize)
    {
        lock (Gate)
        {
            Configure();
            // A count that is no longer ours was set by the application after the model: it stands.
            if (ownChoice is not { } own || get_num_threads() != own) { ownChoice = null; return; }
            var planned = ThreadPlan.ForTraining(model, batchSize, Environment.ProcessorCount);
            if (planned != own) set_num_threads(planned);
            ownChoice = planned;
            reason = $"for this model: {ThreadPlan.Explain(model, batchSize)}";
        }
    }

    /// <summary>
    /// The intra-op count when someone other than CtcDsl chose it, and that choice stands: the
    /// application called <c>torch.set_num_threads</c> before the first model (libtorch's count then
    /// differs from the one it starts with), or <c>OMP_NUM_THREADS</c> / <c>MKL_NUM_THREADS</c> is set.
    /// Null when the count is still libtorch's initial one (which counts the host's cores, not this
    /// process's share: the reason CtcDsl sets its own).
    /// </summary>
    private static int? ChosenElsewhere()
    {
        var current = get_num_threads();
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OMP_NUM_THREADS")) ||
            !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("MKL_NUM_THREADS"))) return current;
        return LibTorchInitialThreads() is { } initial && current != initial ? current : null;
    }

    /// <summary>
    /// The count libtorch starts with: MKL's maximum (<c>at::init_num_threads</c> takes it), read on
    /// a new thread because <c>torch.set_num_threads</c> changes MKL's count only for the calling
    /// thread. (<c>at::intraop_default_num_threads</c> is no guide: it said 1 on a 2-core EPYC whose
    /// libtorch started with 2.) Null where libtorch has no MKL or it cannot be asked.
    /// </summary>
    private static int? LibTorchInitialThreads()
    {
        var library = OperatingSystem.IsWindows() ? "torch_cpu.dll" : OperatingSystem.IsMacOS() ? "libtorch_cpu.dylib" : "libtorch_cpu.so";
        if (!NativeLibrary.TryLoad(library, out var handle) || !NativeLibrary.TryGetExport(handle, "mkl_get_max_threads", out var function)) return null;
        var count = 0;
        var reader = new Thread(() => count = Marshal.GetDelegateForFunctionPointer<IntFunction>(function)());
        reader.Start();
        reader.Join();
        return count > 0 ? count : null;
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int IntFunction();

    private static int? FromEnvironment(string name)
    {
        var text = Environment.GetEnvironmentVariable(name);
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= 1) return value;
        throw new FormatException($"{name}={text}: expected a positive number of threads.");
    }

    private static bool LibTorchLoaded()
    {
        try
        {
            return File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtorch_cpu", StringComparison.Ordinal) || l.Contains("libgomp", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    }

    [DllImport("libc.so.6", SetLastError = true)]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
