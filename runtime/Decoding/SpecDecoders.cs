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
/// the first place it exists: the path as given (absolute, or relative to the working folder), the
/// application's folder, then the spec's folder at build time.
/// </summary>
public static class SpecDecoders
{
    /// <summary>A beam search fused with the spec's language model, lexicon and hotwords (each optional).</summary>
    /// <param name="vocabulary">The model's vocabulary.</param>
    /// <param name="specDirectory">The spec's folder when the model was generated.</param>
    /// <param name="languageModelPath">The ARPA file as the spec names it, or null.</param>
    /// <param name="lexiconPath">The lexicon as the spec names it, or null.</param>
    /// <param name="options">The search and fusion settings.</param>
    public static ICtcDecoder LanguageModelBeam(Vocabulary vocabulary, string specDirectory, string? languageModelPath, string? lexiconPath, LanguageModelBeamSearchOptions options) =>
        new DeferredDecoder(() => new LanguageModelBeamSearch(vocabulary,
            languageModelPath is null ? null : NgramLanguageModel.Load(Resolve(languageModelPath, specDirectory, "language model")),
            lexiconPath is null ? null : Lexicon.Load(Resolve(lexiconPath, specDirectory, "lexicon")),
            options));

    /// <summary>Where a file a spec names is read from (see the class remarks).</summary>
    /// <exception cref="DataFileException">It is in none of the places; the message lists them.</exception>
    public static string Resolve(string path, string specDirectory, string what)
    {
        var candidates = Path.IsPathRooted(path)
            ? new[] { path }
            : new[] { Path.GetFullPath(path), Path.Combine(AppContext.BaseDirectory, path), Path.Combine(specDirectory, path) };
        return candidates.FirstOrDefault(File.Exists)
            ?? throw new DataFileException($"{path}: the spec's {what} is not in {string.Join(", ", candidates.Distinct())}; put it there, or set the model's Decoder with one loaded from elsewhere.");
    }

    /// <summary>A decoder built on first use.</summary>
    private sealed class DeferredDecoder(Func<ICtcDecoder> create) : ICtcDecoder
    {
        private readonly Lazy<ICtcDecoder> decoder = new(create, System.Threading.LazyThreadSafetyMode.ExecutionAndPublication);

        public IReadOnlyList<Hypothesis>[] Decode(Tensor logits, Tensor lengths) => decoder.Value.Decode(logits, lengths);
    }
}
