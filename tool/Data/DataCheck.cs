using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tool.Spec;

namespace CtcDsl.Tool.Data;

/// <summary>The outcome of <see cref="DataCheck.Run"/>: the report's lines and how many problems would stop training.</summary>
/// <param name="Utterances">Utterances the manifest lists.</param>
/// <param name="Blocking">Problems that stop training under the chosen policies.</param>
/// <param name="Lines">The report, ready to print.</param>
public sealed record DataCheckReport(int Utterances, int Blocking, IReadOnlyList<string> Lines);

/// <summary>
/// One pass over a manifest before any training: every character outside the spec's vocabulary with
/// counts and example lines, empty and one-character transcripts, labels that cannot fit their frames
/// (from the audio headers and the spec's front-end and subsampling), unreadable audio, sample rates
/// and durations — and, for each problem, the option or spec key that fixes it.
/// </summary>
public static class DataCheck
{
    private const int Examples = 3;

    /// <summary>Checks <paramref name="manifest"/> for <paramref name="spec"/> with <paramref name="transcripts"/>' policy.</summary>
    /// <param name="manifest">The manifest.</param>
    /// <param name="spec">The spec whose vocabulary and front-end the data must suit.</param>
    /// <param name="transcripts">The transcript policy training will use.</param>
    /// <param name="skipInfeasible">Whether training will skip labels that cannot fit (then they do not block).</param>
    /// <exception cref="DataFileException">The manifest itself cannot be read or is malformed.</exception>
    public static DataCheckReport Run(string manifest, CompiledSpec spec, TranscriptNormalizer transcripts, bool skipInfeasible)
    {
        var utterances = Manifests.Read(manifest);
        var vocabulary = spec.Vocabulary;
        var frontEnd = new FrontEnd(spec.FrontEndSettings);
        var unknown = new Dictionary<char, (int Count, List<string> Where, HashSet<string> Utterances)>();
        var mapped = new Dictionary<char, int>();
        var empty = new List<string>();
        var tiny = new List<string>();
        var infeasible = new List<string>();
        var unreadable = new List<string>();
        var rates = new SortedDictionary<int, int>();
        var durations = new List<double>();

        foreach (var utterance in utterances)
        {
            // The characters, as the runtime's normaliser sees them before its policy applies.
            var text = utterance.Transcript.Normalize(NormalizationForm.FormKC);
            if (transcripts.LowerCase) text = text.ToLower(CultureInfo.InvariantCulture);
            foreach (var c in text)
            {
                if (char.IsWhiteSpace(c) || vocabulary.IdOf(c) >= 0) continue;
                if (transcripts.Policy == UnknownCharacterPolicy.Map && transcripts.Map.ContainsKey(c)) { mapped[c] = mapped.GetValueOrDefault(c) + 1; continue; }
                if (!unknown.TryGetValue(c, out var entry)) unknown[c] = entry = (0, new List<string>(), new HashSet<string>());
                entry.Count++;
                if (entry.Utterances.Add(utterance.Source) && entry.Where.Count < Examples) entry.Where.Add(utterance.Source);
                unknown[c] = entry;
            }

            int[]? labels = null;
            try
            {
                var normalized = transcripts.Normalize(utterance);
                labels = vocabulary.Encode(normalized, utterance.Source);
                if (labels.Length == 0) empty.Add(utterance.Source);
                else if (labels.Length == 1) tiny.Add($"{utterance.Source} (\"{normalized}\")");
            }
            catch (Exception e) when (e is DataFileException or FormatException)
            {
                // Counted above, character by character.
            }

            try
            {
                using var reader = AudioFile.Open(utterance.AudioPath, utterance.Segment);
                var info = reader.Info;
                rates[info.SampleRate] = rates.GetValueOrDefault(info.SampleRate) + 1;
                durations.Add(info.Duration);
                if (labels is not null && labels.Length > 0)
                {
                    var frames = spec.Shape.OutputFrames(InputFrames(frontEnd, info));
                    var required = CtcFeasibility.RequiredFrames(labels);
                    if (required > frames)
                        infeasible.Add($"{utterance.Source}: {labels.Length} labels need {required} output frames, {info.Duration:0.00} s of audio gives {frames}");
                }
            }
            catch (Exception e) when (e is DataFileException or IOException or UnauthorizedAccessException or InvalidDataException)
            {
                unreadable.Add($"{utterance.Source}: {e.Message}");
            }
        }

        var lines = new List<string>();
        var policyName = transcripts.Policy.ToString().ToLowerInvariant();
        lines.Add($"{manifest}: {utterances.Count} utterance(s); {(vocabulary.Subwords is { } subwords ? $"vocabulary {subwords.Pieces.Count} {subwords.Kind} pieces over \"{string.Concat(vocabulary.Tokens.Where(t => t.Length == 1 && t[0] != Runtime.Text.SubwordModel.Marker))}\"" : $"vocabulary \"{string.Concat(vocabulary.Tokens)}\"")}; unknown characters: {policyName}{(ReferenceEquals(transcripts, spec.Transcripts) ? " (the spec's vocabulary.unknown_characters)" : " (command line)")}.");
        if (durations.Count > 0)
        {
            durations.Sort();
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  audio: {durations.Sum() / 60:0.0} min; durations {durations[0]:0.00}-{durations[^1]:0.00} s (median {durations[durations.Count / 2]:0.00} s); sample rates: {string.Join(", ", rates.Select(r => $"{r.Key} Hz x{r.Value}"))}{(rates.Keys.Any(r => r != spec.FrontEndSettings.SampleRate) ? $" (resampled to the spec's {spec.FrontEndSettings.SampleRate} Hz)" : "")}."));
        }

        var blocking = 0;
        if (unknown.Count > 0)
        {
            var stops = transcripts.Policy != UnknownCharacterPolicy.Drop;
            lines.Add($"  {unknown.Count} character(s) outside the vocabulary{(stops ? " (training stops at the first)" : " (dropped)")}:");
            foreach (var (c, entry) in unknown.OrderByDescending(u => u.Value.Count))
                lines.Add($"    '{Printable(c)}' U+{(int)c:X4}: {entry.Count} time(s) in {entry.Utterances.Count} utterance(s), e.g. {string.Join("; ", entry.Where)}");
            if (stops)
            {
                blocking += unknown.Values.Sum(u => u.Utterances.Count);
                lines.Add("    fix: --unknown-characters drop, or --unknown-characters map --map FILE (lines 'c=replacement'), or in the spec:");
                lines.Add("         vocabulary: { unknown_characters: drop }  or  { unknown_characters: { map: { \"-\": \" \" } } }; or add them to vocabulary.tokens.");
            }
        }
        if (mapped.Count > 0)
            lines.Add($"  mapped: {string.Join(", ", mapped.Select(m => $"'{Printable(m.Key)}' x{m.Value} -> \"{transcripts.Map[m.Key]}\""))}.");
        if (empty.Count > 0)
            lines.Add($"  {empty.Count} empty transcript(s) (nothing left after normalisation; they teach only silence): {List(empty)}");
        if (tiny.Count > 0)
            lines.Add($"  {tiny.Count} one-character transcript(s): {List(tiny)}");
        if (infeasible.Count > 0)
        {
            lines.Add($"  {infeasible.Count} utterance(s) whose labels cannot fit their frames{(skipInfeasible ? " (skipped by training)" : " (training stops; --skip-infeasible leaves them out)")}:");
            lines.AddRange(infeasible.Take(10).Select(i => "    " + i));
            if (infeasible.Count > 10) lines.Add($"    ... and {infeasible.Count - 10} more");
            if (!skipInfeasible) blocking += infeasible.Count;
        }
        if (unreadable.Count > 0)
        {
            lines.Add($"  {unreadable.Count} unreadable audio file(s) (training stops):");
            lines.AddRange(unreadable.Take(10).Select(u => "    " + u));
            if (unreadable.Count > 10) lines.Add($"    ... and {unreadable.Count - 10} more");
            blocking += unreadable.Count;
        }
        lines.Add(blocking == 0
            ? $"  OK: every utterance can be trained on{(empty.Count + tiny.Count > 0 ? " (see the warnings above)" : "")}."
            : $"  {blocking} problem(s) stop training; fix them with the options above.");
        return new DataCheckReport(utterances.Count, blocking, lines);
    }

    /// <summary>The front-end's frames for a recording (python_speech_features' framing at the spec's rate), from its header alone.</summary>
    private static int InputFrames(FrontEnd frontEnd, AudioInfo info)
    {
        var samples = (long)Math.Floor(info.Frames * (double)frontEnd.Settings.SampleRate / info.SampleRate);
        var window = frontEnd.WindowSamples;
        return samples <= window ? 1 : 1 + (int)Math.Ceiling((double)(samples - window) / frontEnd.HopSamples);
    }

    private static string List(IReadOnlyList<string> items) =>
        string.Join("; ", items.Take(Examples)) + (items.Count > Examples ? $"; ... and {items.Count - Examples} more" : "");

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:X4}" : c.ToString();
}
