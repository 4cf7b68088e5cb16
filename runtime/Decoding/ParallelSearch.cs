using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace CtcDsl.Runtime.Decoding;

/// <summary>Searches independent utterances each on its own core, as TorchSharp batches and the ONNX recognizer both do.</summary>
public static class ParallelSearch
{
    /// <summary>
    /// <paramref name="search"/> for every index below <paramref name="count"/>. A failure is rethrown as
    /// itself, not wrapped: a spec's missing language model is a <see cref="Data.DataFileException"/> to the
    /// caller, as when decoding ran on one thread.
    /// </summary>
    public static IReadOnlyList<Hypothesis>[] Run(int count, Func<int, IReadOnlyList<Hypothesis>> search)
    {
        var result = new IReadOnlyList<Hypothesis>[count];
        try
        {
            Parallel.For(0, count, i => result[i] = search(i));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            throw;
        }
        return result;
    }
}
