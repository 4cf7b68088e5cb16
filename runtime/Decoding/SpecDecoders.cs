using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Decoding;

/// <summary>
/// Decoders a spec's <c>decoding:</c> section declares. A language model or lexicon named there is
/// read when the model first decodes, not when it is built — training does not need the files. A
/// relative path is looked for in exactly these places, in order (docs/decoding.md): the spec's folder
/// (relative to its project) under the working folder, the same under the application's folder (where
/// the project's files are copied), then the working folder itself. No folder above them is searched,
/// and a path that climbs out of its folder with <c>..</c> is refused. A failed load is not remembered:
/// the next decode tries again.
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
    /// <exception cref="DataFileException">It is in none of the places (the message lists them), or climbs out of them with <c>..</c>.</exception>
    public static string Resolve(string path, string specFolder, string what)
    {
        if (Path.IsPathRooted(path)) return path;
        var working = Path.GetFullPath(Directory.GetCurrentDirectory());
        var application = Path.GetFullPath(AppContext.BaseDirectory);
        var candidates = new List<(string File, string Root)>
        {
            (Path.Combine(working, specFolder, path), Path.Combine(working, specFolder)),
            (Path.Combine(application, specFolder, path), Path.Combine(application, specFolder)),
            (Path.Combine(working, path), working),
        };
        var places = new List<string>();
        foreach (var (file, root) in candidates)
        {
            var full = Path.GetFullPath(file);
            var folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root)) + Path.DirectorySeparatorChar;
            // A spec path is read inside the folder it is relative to: '../../etc/x' is not the spec's file.
            if (!full.StartsWith(folder, StringComparison.Ordinal))
                throw new DataFileException($"{path}: the spec's {what} climbs out of {folder}; give an absolute path to read a file elsewhere.");
            if (places.Contains(full)) continue;
            places.Add(full);
            if (File.Exists(full)) return full;
        }
        throw new DataFileException($"{path}: the spec's {what} is not in {string.Join(", ", places)}; put it there, or set the model's Decoder with one loaded from elsewhere.");
    }

    /// <summary>A decoder built on first use.</summary>
    /// <remarks>Unlike <see cref="Lazy{T}"/>, a failure is not cached: once the missing file is put where the message says, the next decode reads it.</remarks>
    private sealed class DeferredDecoder(Func<ICtcDecoder> create) : ICtcDecoder
    {
        private readonly object gate = new();
        private ICtcDecoder? decoder;

        public IReadOnlyList<Hypothesis> Search(ReadOnlySpan<float> logProbs, int frames, int classes)
        {
            var built = System.Threading.Volatile.Read(ref decoder);
            if (built is null)
                lock (gate)
                    built = decoder ??= create();
            return built.Search(logProbs, frames, classes);
        }
    }
}
