using System;
using System.Threading;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Nn;
using CtcDsl.Tool.Data;
using CtcDsl.Tool.Spec;

namespace CtcDsl.Tool.Commands;

/// <summary><c>ctcdsl evaluate SPEC CHECKPOINT MANIFEST</c>: decodes a data set with a checkpoint and reports LER, CER and WER with the worst utterances.</summary>
public static class EvaluateCommand
{
    /// <summary>Loads, decodes and reports; warns when transcripts are empty or the error rate is near 100%.</summary>
    public static int Run(string specPath, string checkpoint, string manifest, int worst, string? unknownCharacters, string? map, bool skipInfeasible, string? device, int? threads)
    {
        var spec = SpecCompiler.Compile(specPath);
        TorchThreads.Configure(threads);
        var path = RunFolders.ResolveCheckpoint(checkpoint);
        spec.BindSubwords(path, null); // a subword spec's pieces, saved with the checkpoint
        var transcripts = TranscriptPolicy.Resolve(spec, unknownCharacters, map);
        using var session = spec.CreateSession(Devices.Parse(device));
        session.LoadCheckpoint(path); // before loading data: global normalisation statistics come from the checkpoint
        var data = session.Load(manifest, transcripts, new DataSetOptions { Infeasible = skipInfeasible ? InfeasiblePolicy.Skip : InfeasiblePolicy.Error }, CancellationToken.None);
        Console.WriteLine($"Model: {path}; {manifest}: {data.Count} utterance(s){(data.Skipped.Count > 0 ? $", {data.Skipped.Count} skipped (labels longer than their audio allows)" : "")}.");
        var report = session.Report(data);
        Console.Write(report.ToText(worst));
        foreach (var warning in Quality.Warnings(report, manifest)) Console.Error.WriteLine(warning);
        return 0;
    }
}
