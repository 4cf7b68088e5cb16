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
        // The project's folder (MSBuild's ProjectDir, made visible by the package's props): specs know
        // their folder relative to it, so generated code names files the same way on every machine.
        var projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.projectdir", out var directory) ? directory : null);
        var analyzed = context.AdditionalTextsProvider
            .Where(static file => file.Path.EndsWith(SpecSuffix, StringComparison.OrdinalIgnoreCase))
            .Combine(projectDirectory)
            .Select(static (pair, cancellationToken) => Analyze(pair.Left.Path, pair.Left.GetText(cancellationToken)?.ToString(), pair.Right))
            .WithTrackingName(TrackingNames.Analyzed);

        // The emitter sees the plan alone: a spec edit that moves nothing but text positions (a comment)
        // leaves the plan equal, so the emitter's output stays cached.
        var emitted = analyzed
            .Select(static (result, _) => (result.Plan, result.Skeleton))
            .Select(static (pair, _) => Emit(pair.Plan, pair.Skeleton))
            .WithTrackingName(TrackingNames.Emitted);

        // Project-level check: two specs that generate the same types (or the same file name) would make
        // the compiler drop every generated file; each is reported instead and the others still generate.
        var clashes = analyzed
            .Select(static (result, _) => result.Identity)
            .Collect()
            .Select(static (identities, _) => ModelIdentity.FindClashes(identities))
            .WithTrackingName(TrackingNames.Clashes);

        // Files specs name (a SentencePiece model) must be additional files: a generator may not read the
        // disk, and the project's list of them is what it can see. Only the paths, so edits inside them cost nothing.
        var additionalPaths = context.AdditionalTextsProvider
            .Select(static (file, _) => file.Path)
            .Collect()
            .Select(static (paths, _) => paths.Select(System.IO.Path.GetFullPath).OrderBy(p => p, StringComparer.Ordinal).ToEquatableArray())
            .WithTrackingName(TrackingNames.AdditionalPaths);

        context.RegisterSourceOutput(analyzed.Combine(clashes).Combine(additionalPaths), static (output, input) =>
        {
            var ((result, clashing), paths) = input;
            foreach (var diagnostic in result.Diagnostics) output.ReportDiagnostic(diagnostic.ToDiagnostic());
            foreach (var required in result.RequiredFiles)
                if (!paths.Contains(required.Path, StringComparer.OrdinalIgnoreCase)) output.ReportDiagnostic(required.IfMissing.ToDiagnostic());
            if (result.Identity is { } identity && clashing.FirstOrDefault(c => c.Identity == identity) is { } clash)
                output.ReportDiagnostic(DiagnosticInfo.Create(DiagnosticCatalog.DuplicateModel, identity.Path, identity.NameSpan, identity.FullName, clash.Others).ToDiagnostic());
        });
        context.RegisterSourceOutput(emitted.Combine(clashes), static (output, pair) =>
        {
            var (result, clashing) = pair;
            if (result.Error is { } error) output.ReportDiagnostic(error.ToDiagnostic());
            if (result.HintName is null || result.Source is null || clashing.Any(c => string.Equals(c.Identity.HintName, result.HintName, StringComparison.OrdinalIgnoreCase))) return;
            output.AddSource(result.HintName, SourceText.From(result.Source, Encoding.UTF8));
        });
    }

    private static AnalysisResult Analyze(string path, string? text, string? projectDirectory)
    {
        try
        {
            if (text is null)
                return new AnalysisResult(null, null, new[] { DiagnosticInfo.Create(DiagnosticCatalog.InternalError, path, SourceSpan.Unknown, "the file could not be read") }.ToEquatableArray(), null, EquatableArray<RequiredFile>.Empty);
            var requiredFiles = new System.Collections.Generic.List<RequiredFile>();
            var (plan, diagnostics, nameSpan) = SpecAnalyzer.Analyze(path, text, SpecFolder(path, projectDirectory), requiredFiles);
            if (plan is not null)
                return new AnalysisResult(plan, null, diagnostics.ToEquatableArray(), ModelIdentity.Of(path, plan, nameSpan), requiredFiles.ToEquatableArray());
            // A spec with errors still gets placeholder types under the names user code refers to.
            var skeleton = SkeletonReader.Read(path, text);
            return new AnalysisResult(null, skeleton, diagnostics.ToEquatableArray(), skeleton is null ? null : ModelIdentity.Of(path, skeleton, nameSpan), requiredFiles.ToEquatableArray());
        }
        catch (Exception e)
        {
            // Never throw into the compiler: a bug here becomes a diagnostic on the spec.
            return new AnalysisResult(null, null, new[] { DiagnosticInfo.Create(DiagnosticCatalog.InternalError, path, SourceSpan.Unknown, Describe(e)) }.ToEquatableArray(), null, EquatableArray<RequiredFile>.Empty);
        }
    }

    /// <summary>The folder of <paramref name="path"/> relative to <paramref name="projectDirectory"/>, with '/' separators; "" when it is not below it or the project is unknown.</summary>
    internal static string SpecFolder(string path, string? projectDirectory)
    {
        if (string.IsNullOrEmpty(projectDirectory)) return "";
        var folder = System.IO.Path.GetDirectoryName(path)?.Replace('\\', '/') ?? "";
        var project = projectDirectory!.Replace('\\', '/').TrimEnd('/');
        if (folder == project) return "";
        return folder.StartsWith(project + "/", StringComparison.Ordinal) ? folder.Substring(project.Length + 1) : "";
    }

    private static EmitResult Emit(ModelPlan? plan, ModelSkeleton? skeleton)
    {
        try
        {
            if (plan is not null) return new EmitResult(ModelIdentity.HintNameOf(plan.Namespace, plan.TypeName), ModelEmitter.Emit(plan), null);
            if (skeleton is not null) return new EmitResult(ModelIdentity.HintNameOf(skeleton.Namespace, skeleton.TypeName), SkeletonEmitter.Emit(skeleton), null);
            return new EmitResult(null, null, null);
        }
        catch (Exception e)
        {
            return new EmitResult(null, null, DiagnosticInfo.Create(DiagnosticCatalog.InternalError, plan?.SpecFileName ?? skeleton?.SpecFileName ?? "", SourceSpan.Unknown, Describe(e)));
        }
    }

    /// <summary>Exception type, message and the frame that threw, enough for a bug report.</summary>
    private static string Describe(Exception e)
    {
        var frame = e.StackTrace?.Split('\n').FirstOrDefault()?.Trim();
        return $"{e.GetType().Name}: {e.Message}{(frame is null ? "" : " " + frame)}";
    }

    /// <summary>What one spec analyses to: a plan when it has no error, else at most a skeleton (placeholders under the model's names).</summary>
    private sealed record AnalysisResult(ModelPlan? Plan, ModelSkeleton? Skeleton, EquatableArray<DiagnosticInfo> Diagnostics, ModelIdentity? Identity, EquatableArray<RequiredFile> RequiredFiles);

    private sealed record EmitResult(string? HintName, string? Source, DiagnosticInfo? Error);
}

/// <summary>Names of the pipeline steps, for incremental-caching tests.</summary>
public static class TrackingNames
{
    /// <summary>Spec text → plan and diagnostics.</summary>
    public const string Analyzed = nameof(Analyzed);

    /// <summary>Plan → generated source.</summary>
    public const string Emitted = nameof(Emitted);

    /// <summary>Every spec's model identity → the ones that clash.</summary>
    public const string Clashes = nameof(Clashes);

    /// <summary>The project's additional files → their full paths (for files specs name).</summary>
    public const string AdditionalPaths = nameof(AdditionalPaths);
}
