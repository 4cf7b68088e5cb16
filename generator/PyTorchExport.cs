using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Generator.Analysis;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Emitting;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using Microsoft.CodeAnalysis;

namespace CtcDsl.Generator;

/// <summary>
/// A spec as a PyTorch package (<c>ctcdsl export-pytorch</c>): the same analysis the source generator
/// runs gives the plan, which <see cref="PythonEmitter"/> prints as Python. Options the package does
/// not implement yet are CTC0029 errors here, and only here: a build of the same spec is unaffected.
/// </summary>
public static class PyTorchExport
{
    /// <summary>Analyses <paramref name="text"/> (the spec at <paramref name="path"/>) and prints its package.</summary>
    /// <returns>
    /// The files (name, text) whenever the analysis gives a plan, with every diagnostic: the analysis' own and
    /// CTC0029 for each option the package lacks. <see cref="PyTorchPackage.Succeeded"/> says whether none is
    /// an error; <c>ctcdsl export-pytorch</c> writes nothing otherwise. The model file is complete even then
    /// (CTC0029 concerns training), which lets tests compare every example spec's model.
    /// </returns>
    public static PyTorchPackage Export(string path, string text)
    {
        try
        {
            var (plan, diagnostics, nameSpan) = SpecAnalyzer.Analyze(path, text);
            var analysed = diagnostics.Select(d => d.ToDiagnostic()).ToArray();
            if (plan is null || analysed.Any(d => d.Severity == DiagnosticSeverity.Error))
                return new PyTorchPackage(Array.Empty<KeyValuePair<string, string>>(), analysed);
            var missing = Unsupported(plan, path, nameSpan).Select(d => d.ToDiagnostic());
            var files = PythonEmitter.Emit(plan).Select(f => new KeyValuePair<string, string>(f.Name, f.Text)).ToArray();
            return new PyTorchPackage(files, analysed.Concat(missing).ToArray());
        }
        catch (Exception e)
        {
            var error = DiagnosticInfo.Create(DiagnosticCatalog.InternalError, path, SourceSpan.Unknown, e.GetType().Name + ": " + e.Message);
            return new PyTorchPackage(Array.Empty<KeyValuePair<string, string>>(), new[] { error.ToDiagnostic() });
        }
    }

    // The plan keeps no spans of the training section, so these point at the spec's name.
    private static IEnumerable<DiagnosticInfo> Unsupported(ModelPlan plan, string path, SourceSpan at)
    {
        if (plan.Training.EarlyStopping is not null)
            yield return DiagnosticInfo.Create(DiagnosticCatalog.NoPyTorchCounterpart, path, at, "training.early_stopping", "train.py reads no validation data, so nothing could be monitored");
        if (plan.Training.SkipNonFinite)
            yield return DiagnosticInfo.Create(DiagnosticCatalog.NoPyTorchCounterpart, path, at, "training.non_finite_loss: skip", "train.py stops at a non-finite loss; skipping needs every process to agree on the batch to drop");
        foreach (var layer in plan.Layers.Where(l => l.FieldType is not null && PythonCode.HidesModuleMember(l.FieldName)))
            yield return DiagnosticInfo.Create(DiagnosticCatalog.NoPyTorchCounterpart, path, at, $"a layer named '{layer.Name}'",
                $"its PyTorch attribute '{PythonCode.AttributeName(layer.FieldName)}' would hide a member of torch.nn.Module or of the exported model, and attribute names are the state dict's keys; rename the layer");
        if (plan.Vocabulary.Subwords is { } subwords)
            yield return DiagnosticInfo.Create(DiagnosticCatalog.NoPyTorchCounterpart, path, at,
                subwords.ModelFile is null ? $"vocabulary.type: {subwords.Type}" : "vocabulary.model",
                "train.py maps transcripts to classes character by character, and the package does not carry a subword model; use a character vocabulary to export");
        if (plan.FrontEnd is { Normalization: "global" })
            yield return DiagnosticInfo.Create(DiagnosticCatalog.NoPyTorchCounterpart, path, at, "features.normalize: global",
                "its statistics live in CtcDsl checkpoints, which the PyTorch trainer does not write, so the .NET app would transcribe unnormalised features; use utterance or none");
    }
}

/// <summary>The result of <see cref="PyTorchExport.Export"/>.</summary>
/// <param name="Files">Each file of the package: name and text (empty when the spec has errors).</param>
/// <param name="Diagnostics">The analysis' diagnostics and the export's own (CTC0029).</param>
public sealed record PyTorchPackage(IReadOnlyList<KeyValuePair<string, string>> Files, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>Whether the package may be written: files printed and no diagnostic an error.</summary>
    public bool Succeeded => Files.Count > 0 && !Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
