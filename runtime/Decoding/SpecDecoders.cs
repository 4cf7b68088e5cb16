using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Decoding;

/// <summary>
/// Decoders a spec's <c>decoding:</c> section declares. A language model or lexicon named there is
/// read when the model first decodes, not when it is built — training does not need the files — from
/// the first place it exists: the path as given (absolute, or relative to the working folder); the
/// application's folder; the spec's folder (relative to its project) under the working folder and
/// under the application's folder and each folder above it (which finds the project's own folder
/// when the application runs from its bin/). Copy the files next to the application to ship them.
/// </summary>
public static class SpecDecoders
{
    /// <summary>A beam search fused with the spec's language model, lexicon and hotwords (each optional).</summary>
    /// <param name="vocabulary">The model's vocabulary.</param>
    /// <param name="specFolder">The spec's folder relative to its project ("" for the project's own folder).</param>
    /// <param name="languageModelPath">The ARPA file as the spec names it, or null.</param>
    /// <param name="lexiconPath">The lexicon as the spec names it, or null.</param>
    /// <param name="options">The search and fusion settings.</param>
    public static ICtcDecoder LanguageModelBeam(Vocabulary vocabulary, string specFolder, string? languageModelPath, string? lexiconPath, LanguageModelBeamSearchOptions options) =>
        new DeferredDecoder(() => new LanguageModelBeamSearch(vocabulary,
            languageModelPath is null ? null : NgramLanguageModel.Load(Resolve(languageModelPath, specFolder, "language model")),
            lexiconPath is null ? null : Lexicon.Load(Resolve(lexiconPath, specFolder, "lexicon")),
            options));

    /// <summary>Where a file a spec names is read from (see the class remarks).</summary>
    /// <exception cref="DataFileException">It is in none of the places; the message lists them.</exception>
    public static string Resolve(string path, string specFolder, string what)
    {
        var candidates = new List<string>();
        if (Path.IsPathRooted(path))
        {
            candidates.Add(path);
        }
        else
        {
            var inSpecFolder = Path.Combine(specFolder, path);
            candidates.Add(Path.GetFullPath(path));
            candidates.Add(Path.Combine(AppContext.BaseDirectory, path));
            candidates.Add(Path.GetFullPath(inSpecFolder));
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                candidates.Add(Path.Combine(folder.FullName, inSpecFolder));
        }
        var distinct = candidates.Select(Path.GetFullPath).Distinct().ToList();
        return distinct.FirstOrDefault(File.Exists)
            ?? throw new DataFileException($"{path}: the spec's {what} is not in {string.Join(", ", distinct.Take(4))}{(distinct.Count > 4 ? $" or {distinct.Count - 4} folders above the application" : "")}; put it there, or set the model's Decoder with one loaded from elsewhere.");
    }

    /// <summary>A decoder built on first use.</summary>
    private sealed class DeferredDecoder(Func<ICtcDecoder> create) : ICtcDecoder
    {
        private readonly Lazy<ICtcDecoder> decoder = new(create, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);

        public IReadOnlyList<Hypothesis>[] Decode(Tensor logits, Tensor lengths) => decoder.Value.Decode(logits, lengths);
    }
}
