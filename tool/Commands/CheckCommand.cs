using System;
using System.Collections.Generic;
using CtcDsl.Tool.Data;
using CtcDsl.Tool.Spec;

namespace CtcDsl.Tool.Commands;

/// <summary><c>ctcdsl check SPEC MANIFEST...</c>: the data checks training runs first, on their own.</summary>
public static class CheckCommand
{
    /// <summary>Checks each manifest; exit code 1 when a problem would stop training.</summary>
    public static int Run(string specPath, IReadOnlyList<string> manifests, string? unknownCharacters, string? map, bool skipInfeasible)
    {
        var spec = SpecCompiler.Compile(specPath);
        // A subword spec's pieces are trained on the first manifest, as `train` trains them on its training set.
        if (spec.BindSubwords(null, manifests.Count > 0 ? manifests[0] : null) is { } bound) Console.WriteLine(bound);
        var transcripts = TranscriptPolicy.Resolve(spec, unknownCharacters, map);
        var blocking = 0;
        foreach (var manifest in manifests)
        {
            var report = DataCheck.Run(manifest, spec, transcripts, skipInfeasible);
            foreach (var line in report.Lines) Console.WriteLine(line);
            blocking += report.Blocking;
        }
        if (blocking == 0) return 0;
        Console.Error.WriteLine($"error: {blocking} problem(s) in the data would stop training; the report above names each and how to fix it.");
        return 1;
    }
}
