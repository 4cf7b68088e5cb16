using System;
using System.Collections.Generic;
using System.IO;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Support;
using Xunit;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>
/// libtorch's threads and OpenMP's wait policy are process-wide and fixed when libtorch loads, so they
/// are checked in a fresh process: the sample, run as a user runs it.
/// </summary>
public sealed class ThreadSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("ctcdsl-threads-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (int ExitCode, string Output) Sample(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var settings = new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = null };
        foreach (var (name, value) in environment) settings[name] = value;
        return FreshProcess.Dotnet(Path.Combine(AppContext.BaseDirectory, "Ldc93s1.dll"), settings, arguments);
    }

    [SkippableFact]
    public void Threads_come_from_the_environment_or_the_command_line_and_OpenMP_waits_passively()
    {
        var data = SharedData.Ldc93s1();
        var (code, output) = Sample(new Dictionary<string, string?> { ["CTCDSL_THREADS"] = "1" }, data, "--epochs", "1", "--checkpoints", Path.Combine(directory, "a"));
        Assert.True(code == 0, output);
        Assert.Contains("Trained on 1 CPU thread (CTCDSL_THREADS), OpenMP waits passively.", output);

        (code, output) = Sample(new Dictionary<string, string?> { ["CTCDSL_THREADS"] = "1" }, data, "--epochs", "1", "--threads", "2", "--checkpoints", Path.Combine(directory, "b"));
        Assert.True(code == 0, output);
        Assert.Contains("Trained on 2 CPU threads (as the application asked), OpenMP waits passively.", output); // the command line wins

        // A user's own OpenMP setting is kept.
        (code, output) = Sample(new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = "ACTIVE", ["CTCDSL_THREADS"] = "1" }, data, "--epochs", "1", "--checkpoints", Path.Combine(directory, "c"));
        Assert.True(code == 0, output);
        Assert.Contains("Trained on 1 CPU thread (CTCDSL_THREADS), OpenMP spins while waiting", output);

        // Nothing chosen: one thread for the seed model's tiny recurrent step, and the header says why.
        (code, output) = Sample(new Dictionary<string, string?> { ["CTCDSL_THREADS"] = null, ["OMP_NUM_THREADS"] = null }, data, "--epochs", "1", "--checkpoints", Path.Combine(directory, "d"));
        Assert.True(code == 0, output);
        Assert.Contains("Trained on 1 CPU thread (for this model: largest recurrent step 0.02 M multiply-adds), OpenMP waits passively.", output);
    }

    [Fact]
    public void An_applications_own_thread_count_stands()
    {
        var unset = new Dictionary<string, string?> { ["CTCDSL_THREADS"] = null, ["OMP_NUM_THREADS"] = null, ["MKL_NUM_THREADS"] = null };

        // Nothing chosen: CtcDsl's own count (the CPUs this process may use), then one thread for the
        // seed model's tiny recurrent step (ThreadPlan).
        var (code, output) = FreshProcess.Run(unset, "threads");
        Assert.True(code == 0, output);
        Assert.Contains($"threads: {Environment.ProcessorCount}", output);
        Assert.Contains("threads after fit: 1", output);

        // torch.set_num_threads before the first model: kept, and the plan leaves it alone.
        (code, output) = FreshProcess.Run(unset, "threads", "3");
        Assert.True(code == 0, output);
        Assert.Contains("threads: 3", output);
        Assert.Contains("threads after fit: 3", output);

        // ... or after the model, before Fit.
        (code, output) = FreshProcess.Run(unset, "threads", "late", "3");
        Assert.True(code == 0, output);
        Assert.Contains("threads after fit: 3", output);

        // FitOptions.Threads.
        (code, output) = FreshProcess.Run(unset, "threads", "fit", "3");
        Assert.True(code == 0, output);
        Assert.Contains("threads after fit: 3", output);

        // OMP_NUM_THREADS: what libtorch made of it is kept (MKL caps it at the cores).
        (code, output) = FreshProcess.Run(new Dictionary<string, string?>(unset) { ["OMP_NUM_THREADS"] = "2" }, "threads");
        Assert.True(code == 0, output);
        var libtorchMade = Math.Min(2, Environment.ProcessorCount);
        Assert.Contains($"threads: {libtorchMade} (before the model: {libtorchMade})", output);
        Assert.Contains($"threads after fit: {libtorchMade}", output);

        // CTCDSL_THREADS is CtcDsl's own setting and wins over both.
        (code, output) = FreshProcess.Run(new Dictionary<string, string?> { ["CTCDSL_THREADS"] = "3", ["OMP_NUM_THREADS"] = "1" }, "threads", "1");
        Assert.True(code == 0, output);
        Assert.Contains("threads: 3", output);
        Assert.Contains("threads after fit: 3", output);
    }

    [Fact]
    public void Bad_thread_settings_are_refused_with_the_reason()
    {
        var (code, output) = Sample(new Dictionary<string, string?>(), "--threads", "0");
        Assert.Equal(2, code);
        Assert.Contains("--threads must be at least 1", output);

        (code, output) = Sample(new Dictionary<string, string?> { ["CTCDSL_THREADS"] = "lots" }, "--synthetic", "--epochs", "1");
        Assert.Equal(1, code);
        Assert.Contains("error: CTCDSL_THREADS=lots: expected a positive number of threads.", output);
        Assert.DoesNotContain("   at ", output); // one line, no stack trace
    }

    [Fact]
    public void Fit_refuses_a_thread_count_below_one()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CtcTrainer.Fit<ToyExampleStub, ToyBatchStub>(null!, null!, new[] { new ToyExampleStub() }, null, new FitOptions { Threads = 0 }));
        Assert.Contains("Threads must be at least 1", error.Message);
    }

    private sealed class ToyExampleStub;

    private sealed class ToyBatchStub : IDisposable
    {
        public void Dispose() { }
    }
}
