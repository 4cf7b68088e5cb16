using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Training;

/// <summary>
/// The subword vocabulary a spec declares (<c>vocabulary: { type: bpe | unigram, size: N }</c>, or a
/// SentencePiece <c>model:</c>), and the subword model bound to it. The spec fixes the number of pieces,
/// so the logits width is known when the code is generated; the pieces themselves come from data
/// (<see cref="Train"/>), a SentencePiece file (<see cref="LoadModel"/>) or a checkpoint
/// (<see cref="UseCheckpoint"/>), and every way in checks that the kind and the count are the spec's.
/// </summary>
/// <remarks>
/// The generated model's static <c>Vocabulary</c>, <c>Transcripts</c> and <c>Shape</c> read the binding,
/// so it is one per model type and process; a model instance keeps the vocabulary it was created with,
/// and its checkpoints are refused by a model bound to another subword model.
/// </remarks>
public sealed class SubwordSettings
{
    private readonly object gate = new();
    private Vocabulary? vocabulary;
    private TranscriptNormalizer? transcripts;
    private ExampleShape? shape;

    /// <summary>Settings for <paramref name="modelName"/>: <paramref name="type"/> (<c>bpe</c>, <c>unigram</c> or <c>sentencepiece</c>), <paramref name="size"/> pieces, the blank's class id, and a SentencePiece <paramref name="modelFile"/> (its kind <c>sentencepiece</c>) as the spec in <paramref name="specFolder"/> (relative to its project) names it.</summary>
    /// <exception cref="ArgumentException">An unknown type, a size outside <see cref="BpeTrainer.MinimumSize"/>..<see cref="BpeTrainer.MaximumSize"/>, a blank outside 0..size, or a model file with another type.</exception>
    public SubwordSettings(string modelName, string type, int size, int blankIndex, string? modelFile = null, string specFolder = "")
    {
        if (type is not ("bpe" or "unigram" or "sentencepiece")) throw new ArgumentException($"Unknown subword type '{type}': bpe, unigram or sentencepiece.", nameof(type));
        if (size < BpeTrainer.MinimumSize || size > BpeTrainer.MaximumSize) throw new ArgumentOutOfRangeException(nameof(size), size, $"A subword vocabulary has {BpeTrainer.MinimumSize} to {BpeTrainer.MaximumSize} pieces.");
        if (blankIndex < 0 || blankIndex > size) throw new ArgumentOutOfRangeException(nameof(blankIndex), blankIndex, $"The blank is a class id from 0 to {size}.");
        if (modelFile is not null != (type == "sentencepiece")) throw new ArgumentException("A SentencePiece model file goes with type sentencepiece, and only with it.", nameof(modelFile));
        ModelName = modelName;
        Type = type;
        Size = size;
        BlankIndex = blankIndex;
        ModelFile = modelFile;
        SpecFolder = specFolder;
    }

    /// <summary>The spec's folder relative to its project, where <see cref="ModelFile"/> is looked for (as the spec's language model is).</summary>
    public string SpecFolder { get; }

    /// <summary>The generated model's name, for messages.</summary>
    public string ModelName { get; }

    /// <summary><c>bpe</c>, <c>unigram</c> or <c>sentencepiece</c>: the <see cref="SubwordModel.Kind"/> a bound model must have.</summary>
    public string Type { get; }

    /// <summary>Pieces, blank excluded: the logits are <see cref="Size"/> + 1 wide.</summary>
    public int Size { get; }

    /// <summary>The blank's class id.</summary>
    public int BlankIndex { get; }

    /// <summary>The SentencePiece model file as the spec names it (relative to the spec's folder), or null.</summary>
    public string? ModelFile { get; }

    /// <summary>The bound subword model, or null before one is bound.</summary>
    public SubwordModel? Model => vocabulary?.Subwords;

    /// <summary>The bound vocabulary.</summary>
    /// <exception cref="InvalidOperationException">No subword model is bound yet; the message says how to bind one.</exception>
    public Vocabulary Vocabulary => vocabulary ?? throw new InvalidOperationException(
        $"{ModelName} has a {Describe()} subword vocabulary that is not bound yet: call {ModelName}.Subwords." +
        (ModelFile is null ? "Train(transcripts)" : "LoadModel(folder)") + " or UseCheckpoint(path) before creating the model, its examples or its data sets.");

    /// <summary>
    /// Trains a <see cref="Type"/> model of exactly <see cref="Size"/> pieces on <paramref name="transcripts"/>
    /// (deterministic: the same transcripts in any order give the same model) and binds it. The transcripts are
    /// first prepared as the spec's transcript normaliser prepares them (<see cref="TranscriptNormalizer.Prepare"/>:
    /// NFKC, lower case, single spaces), so raw manifest text such as LibriSpeech's upper case gives pieces
    /// that spell the training labels.
    /// </summary>
    /// <exception cref="InvalidOperationException">The spec names a SentencePiece model file instead.</exception>
    /// <exception cref="ArgumentException">The transcripts cannot give <see cref="Size"/> pieces; the message says how many they can.</exception>
    public SubwordModel Train(IEnumerable<string> transcripts)
    {
        var model = Type switch
        {
            "bpe" => BpeTrainer.Train(transcripts.Select(t => TranscriptNormalizer.Prepare(t)), Size),
            "unigram" => UnigramTrainer.Train(transcripts.Select(t => TranscriptNormalizer.Prepare(t)), Size),
            _ => throw new InvalidOperationException($"{ModelName}'s subword vocabulary is the SentencePiece model '{ModelFile}': load it with LoadModel, it is not trained here."),
        };
        Use(model);
        return model;
    }

    /// <summary>Loads and binds the spec's SentencePiece model file, from <paramref name="folder"/> when given, else where a spec's files are looked for (<see cref="Decoding.SpecDecoders.Resolve"/>: the spec's folder under the working or the application's folder, then the working folder).</summary>
    /// <exception cref="InvalidOperationException">The spec names no model file.</exception>
    /// <exception cref="FormatException">Not a SentencePiece model.</exception>
    /// <exception cref="DataFileException">Without <paramref name="folder"/>: the file is in none of the places looked at (the message lists them).</exception>
    /// <exception cref="ArgumentException">The model has another number of pieces than the spec's size.</exception>
    public SubwordModel LoadModel(string? folder = null)
    {
        if (ModelFile is null) throw new InvalidOperationException($"{ModelName}'s subword vocabulary is trained ({Describe()}): call Train(transcripts).");
        var model = SubwordModel.LoadSentencePiece(folder is null ? Decoding.SpecDecoders.Resolve(ModelFile, SpecFolder, "SentencePiece model") : Path.Combine(folder, ModelFile));
        Use(model);
        return model;
    }

    /// <summary>Binds the subword model saved beside the checkpoint at <paramref name="path"/> (checked against the fingerprint in it), so the checkpoint can be loaded.</summary>
    /// <exception cref="CheckpointException">The checkpoint is unreadable, of a character vocabulary, or its subword model is missing or not the one it was written with.</exception>
    /// <exception cref="ArgumentException">The checkpoint's subword model is of another kind or size than the spec's.</exception>
    public SubwordModel UseCheckpoint(string path)
    {
        var model = Checkpoint.Load(path).ReadSubwords(path);
        Use(model);
        return model;
    }

    /// <summary>Binds <paramref name="model"/> after checking its kind and number of pieces against the spec.</summary>
    /// <exception cref="ArgumentException">Another kind or number of pieces; the message names both.</exception>
    public void Use(SubwordModel model)
    {
        if (model.Kind != Type || model.Pieces.Count != Size)
            throw new ArgumentException($"{ModelName} declares a {Describe()} subword vocabulary; the model given is {model.Kind} with {model.Pieces.Count} pieces (sha256 {model.Fingerprint}).", nameof(model));
        lock (gate)
        {
            vocabulary = Vocabulary.FromSubwords(model, BlankIndex);
            transcripts = null;
            shape = null;
        }
    }

    /// <summary>The transcript normaliser of the bound vocabulary, made once per binding by <paramref name="create"/>.</summary>
    public TranscriptNormalizer Transcripts(Func<Vocabulary, TranscriptNormalizer> create)
    {
        lock (gate) return transcripts ??= create(Vocabulary);
    }

    /// <summary>The example shape of the bound vocabulary, made once per binding by <paramref name="create"/>.</summary>
    public ExampleShape Shape(Func<Vocabulary, ExampleShape> create)
    {
        lock (gate) return shape ??= create(Vocabulary);
    }

    private string Describe() => $"{Type} {Size}-piece";
}
