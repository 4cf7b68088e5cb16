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
        FrontEndSettings = (FrontEndSettings)Static(model, "FrontEndSettings");
        DefaultFitOptions = (FitOptions)Static(model, "DefaultFitOptions");
        Subwords = model.GetProperty("Subwords", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as SubwordSettings;
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
    /// <remarks>Read on each use: a subword spec's shape follows the model <see cref="BindSubwords"/> bound.</remarks>
    public ExampleShape Shape => (ExampleShape)Static(ModelType, "Shape");

    /// <summary>The spec's subword vocabulary settings; null for a character vocabulary.</summary>
    public SubwordSettings? Subwords { get; }

    /// <summary>The vocabulary the spec declares.</summary>
    public Vocabulary Vocabulary => Shape.Vocabulary;

    /// <summary>The spec's audio front-end.</summary>
    public FrontEndSettings FrontEndSettings { get; }

    /// <summary>The spec's training defaults.</summary>
    public FitOptions DefaultFitOptions { get; }

    /// <summary>The spec's transcript policy (<c>vocabulary.unknown_characters</c>).</summary>
    public TranscriptNormalizer Transcripts => (TranscriptNormalizer)Static(ModelType, "Transcripts");

    /// <summary>
    /// Binds a subword spec's pieces before anything reads its vocabulary (a character spec needs nothing):
    /// those saved beside <paramref name="checkpoint"/> when one is given (checked against its fingerprint),
    /// else the spec's SentencePiece file, else pieces trained on <paramref name="trainingManifest"/>'s
    /// transcripts (deterministic: the same transcripts give the same pieces, and checkpoints keep them).
    /// </summary>
    /// <returns>A line saying what was bound, or null for a character spec.</returns>
    /// <exception cref="SpecException">The pieces must be trained but no manifest was given.</exception>
    public string? BindSubwords(string? checkpoint, string? trainingManifest)
    {
        if (Subwords is not { } subwords) return null;
        Runtime.Text.SubwordModel model;
        string source;
        if (checkpoint is not null)
        {
            model = subwords.UseCheckpoint(checkpoint);
            source = "saved with the checkpoint";
        }
        else if (subwords.ModelFile is { } file)
        {
            model = subwords.LoadModel(Path.GetDirectoryName(Path.GetFullPath(SpecPath)));
            source = $"read from {file}";
        }
        else if (trainingManifest is not null)
        {
            model = subwords.Train(Manifests.Read(trainingManifest).Select(u => u.Transcript));
            source = $"trained on {trainingManifest}'s transcripts";
        }
        else
            throw new SpecException($"{SpecPath}: its {subwords.Type} subword vocabulary is trained from a training manifest or read from a checkpoint; this command has neither.");
        return $"Subword vocabulary: {model.Kind}, {model.Pieces.Count} pieces (sha256 {model.Fingerprint[..12]}), {source}.";
    }

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
