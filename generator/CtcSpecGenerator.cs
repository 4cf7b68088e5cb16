using System;
using System.Linq;
using System.Text;
using CtcDsl.Generator.Analysis;
using CtcDsl.Generator.Diagnostics;
using CtcDsl.Generator.Emitting;
using CtcDsl.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace CtcDsl.Generator;

/// <summary>
/// Compiles every <c>*.ctc.yaml</c> additional file into a typed TorchSharp model. The pipeline:
/// text → <see cref="SpecAnalyzer"/> (YAML → validated <see cref="ModelPlan"/> + diagnostics) →
/// <see cref="ModelEmitter"/> (plan → C#). Each stage's output is value-equatable, so editing one
/// spec or any C# file leaves the other specs' outputs cached.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class CtcSpecGenerator : IIncrementalGenerator
{
    /// <summary>File name suffix of a spec.</summary>
    public const string SpecSuffix = ".ctc.yaml";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var analyzed = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(SpecSuffix, StringComparison.OrdinalIgnoreCase))
            .Select(static (file, cancellationToken) => Analyze(file.Path, file.GetText(cancellationToken)?.ToString()))
            .WithTrackingName(TrackingNames.Analyzed);

        var emitted = analyzed
            .Select(static (result, _) => Emit(result))
            .WithTrackingName(TrackingNames.Emitted);

        context.RegisterSourceOutput(emitted, static (output, result) =>
        {
            foreach (var diagnostic in result.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.HintName is not null && result.Source is not null)
                output.AddSource(result.HintName, SourceText.From(result.Source, Encoding.UTF8));
        });
    }

    private static AnalysisResult Analyze(string path, string? text)
    {
        try
        {
            if (text is null)
                return new AnalysisResult(null, new[] { DiagnosticInfo.Create(DiagnosticCatalog.InternalError, path, SourceSpan.Unknown, "the file could not be read") }.ToEquatableArray());
            var (plan, diagnostics) = SpecAnalyzer.Analyze(path, text);
            return new AnalysisResult(plan, diagnostics.ToEquatableArray());
        }
        catch (Exception e)
        {
            // Never throw into the compiler: a bug here becomes a diagnostic on the spec.
            return new AnalysisResult(null, new[] { DiagnosticInfo.Create(DiagnosticCatalog.InternalError, path, SourceSpan.Unknown, Describe(e)) }.ToEquatableArray());
        }
    }

    private static EmitResult Emit(AnalysisResult analysis)
    {
        if (analysis.Plan is null) return new EmitResult(null, null, analysis.Diagnostics);
        try
        {
            var plan = analysis.Plan;
            var hintName = (plan.Namespace + "." + plan.TypeName).Replace('.', '_') + ".g.cs";
            return new EmitResult(hintName, ModelEmitter.Emit(plan), analysis.Diagnostics);
        }
        catch (Exception e)
        {
            var error = DiagnosticInfo.Create(DiagnosticCatalog.InternalError, analysis.Plan.SpecFileName, SourceSpan.Unknown, Describe(e));
            return new EmitResult(null, null, analysis.Diagnostics.Concat(new[] { error }).ToEquatableArray());
        }
    }

    /// <summary>Exception type, message and the frame that threw, enough for a bug report.</summary>
    private static string Describe(Exception e)
    {
        var frame = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim();
        return $"{e.GetType().Name}: {e.Message}{(frame is null ? "" : " " + frame)}";
    }

    private sealed record AnalysisResult(ModelPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);

    private sealed record EmitResult(string? HintName, string? Source, EquatableArray<DiagnosticInfo> Diagnostics);
}

/// <summary>Names of the pipeline steps, for incremental-caching tests.</summary>
public static class TrackingNames
{
    /// <summary>Spec text → plan and diagnostics.</summary>
    public const string Analyzed = nameof(Analyzed);

    /// <summary>Plan → generated source.</summary>
    public const string Emitted = nameof(Emitted);
}
