using System;
using System.Runtime.InteropServices;
using System.Linq;
using System.Threading;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// Turns the ways a training job is asked to stop — Ctrl+C (SIGINT) in a terminal, SIGTERM from a
/// scheduler, a container runtime or <c>kill</c>, SIGQUIT — into a cancellation, so training ends after
/// the current step with its checkpoint, history and plot written, instead of the process dying.
/// </summary>
public sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource source = new();
    private readonly PosixSignalRegistration[] registrations;

    /// <summary>Starts listening; dispose to stop.</summary>
    public StopSignals()
    {
        registrations = new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, context =>
            {
                // The first signal asks politely; a second one (the user insists) ends the process.
                if (source.IsCancellationRequested) return;
                context.Cancel = true;
                Signal = context.Signal;
                source.Cancel();
            }))
            .ToArray();
    }

    /// <summary>Cancelled when a stop signal arrives; pass it as <see cref="FitOptions.CancellationToken"/>.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The signal that asked to stop, if one did.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var registration in registrations) registration.Dispose();
        source.Dispose();
    }
}
