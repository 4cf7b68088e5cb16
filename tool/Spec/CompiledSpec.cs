using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using TorchSharp;

namespace CtcDsl.Tool.Spec;

/// <summary>
/// The generated model of one spec, loaded: its types and the static facts the generator wrote
/// (vocabulary, shape, front-end, training defaults, transcript policy).
/// </summary>
public sealed class CompiledSpec
{
    private CompiledSpec(string path, Type model, Type example, Type batch, IReadOnlyList<(string Name, string Text)> sources)
    {
        SpecPath = path;
        ModelType = model;
        ExampleType = example;
        BatchType = batch;
        GeneratedSources = sources;
        Shape = (ExampleShape)Static(model, "Shape");
        FrontEndSettings = (FrontEndSettings)Static(model, "FrontEndSettings");
        DefaultFitOptions = (FitOptions)Static(model, "DefaultFitOptions");
        Transcripts = (TranscriptNormalizer)Static(model, "Transcripts");
    }

    /// <summary>The spec file.</summary>
    public string SpecPath { get; }

    /// <summary>The spec's file name without <c>.ctc.yaml</c>: names run folders.</summary>
    public string Name
    {
        get
        {
            var file = Path.GetFileName(SpecPath);
            foreach (var suffix in new[] { ".ctc.yaml", ".ctc.yml", ".yaml", ".yml" })
                if (file.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return file[..^suffix.Length];
            return file;
        }
    }

    /// <summary>The generated model class (a <see cref="CtcAudioModel{TExample, TBatch}"/>).</summary>
    public Type ModelType { get; }

    /// <summary>The generated example class.</summary>
    public Type ExampleType { get; }

    /// <summary>The generated batch class.</summary>
    public Type BatchType { get; }

    /// <summary>The generated C# files (name, text), as a build would write them with <c>EmitCompilerGeneratedFiles</c>.</summary>
    public IReadOnlyList<(string Name, string Text)> GeneratedSources { get; }

    /// <summary>What an example must satisfy: feature width, vocabulary, output frames per input frames.</summary>
    public ExampleShape Shape { get; }

    /// <summary>The vocabulary the spec declares.</summary>
    public Vocabulary Vocabulary => Shape.Vocabulary;

    /// <summary>The spec's audio front-end.</summary>
    public FrontEndSettings FrontEndSettings { get; }

    /// <summary>The spec's training defaults.</summary>
    public FitOptions DefaultFitOptions { get; }

    /// <summary>The spec's transcript policy (<c>vocabulary.unknown_characters</c>).</summary>
    public TranscriptNormalizer Transcripts { get; }

    /// <summary>Creates a session that drives a freshly initialised model of this spec on <paramref name="device"/>.</summary>
    public ModelSession CreateSession(torch.Device device)
    {
        var sessionType = typeof(ModelSession<,>).MakeGenericType(ExampleType, BatchType);
        try
        {
            return (ModelSession)Activator.CreateInstance(sessionType, this, device)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }
    }

    internal static CompiledSpec From(string path, Assembly assembly, IReadOnlyList<(string, string)> sources)
    {
        var models = assembly.GetTypes().Where(t => IsModel(t, typeof(CtcModel<,>))).ToArray();
        if (models.Length != 1) throw new SpecException($"{path}: expected one model in the generated code, found {models.Length}.");
        var model = models[0];
        var audioBase = BaseOf(model, typeof(CtcAudioModel<,>));
        if (audioBase is null)
            throw new SpecException($"{path}: the spec declares no audio front-end, so the tool cannot read audio for it; add one, e.g. `features: {{ type: mfcc, sample_rate: 16000 }}` (see the spec reference, section features).");
        var arguments = audioBase.GetGenericArguments();
        return new CompiledSpec(path, model, arguments[0], arguments[1], sources);
    }

    private static bool IsModel(Type type, Type generic) => !type.IsAbstract && BaseOf(type, generic) is not null;

    private static Type? BaseOf(Type type, Type generic)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == generic) return t;
        return null;
    }

    private static object Static(Type model, string name) =>
        model.GetProperty(name, BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
        ?? throw new SpecException($"{model.Name} has no static {name}: the generator and this tool's runtime differ in version.");
}
