using System;
using System.Collections.Generic;
using System.IO;
using CtcDsl.Runtime.Data;
using CtcDsl.Tool.Spec;

namespace CtcDsl.Tool.Data;

/// <summary>
/// The transcript policy a command uses: the spec's (<c>vocabulary.unknown_characters</c>) unless the
/// command line says <c>--unknown-characters drop|map|error</c> and/or gives <c>--map FILE</c>.
/// </summary>
public static class TranscriptPolicy
{
    /// <summary>The normaliser for <paramref name="spec"/> with the command line's overrides.</summary>
    /// <exception cref="IOException">The map file is missing or malformed (named with its line).</exception>
    public static TranscriptNormalizer Resolve(CompiledSpec spec, string? policy, string? mapFile)
    {
        if (policy is null && mapFile is null) return spec.Transcripts;
        var map = mapFile is null ? spec.Transcripts.Map : ReadMap(mapFile);
        var chosen = policy switch
        {
            null => UnknownCharacterPolicy.Map, // a map file alone means: map
            "error" => UnknownCharacterPolicy.Error,
            "drop" => UnknownCharacterPolicy.Drop,
            "map" => UnknownCharacterPolicy.Map,
            _ => throw new ArgumentException($"--unknown-characters {policy}: use error, drop or map."),
        };
        return new TranscriptNormalizer(spec.Vocabulary) { LowerCase = spec.Transcripts.LowerCase, Policy = chosen, Map = map };
    }

    /// <summary>
    /// A mapping file: one <c>c=replacement</c> a line (the first character is the one replaced, so
    /// <c>==</c> maps '=' to nothing and <c>-= </c> maps '-' to a space); <c>#</c> starts a comment line.
    /// </summary>
    public static IReadOnlyDictionary<char, string> ReadMap(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"--map {path}: no such file.");
        var map = new Dictionary<char, string>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            if (line.Length == 0 || line[0] == '#') continue;
            if (line.Length < 2 || line[1] != '=')
                throw new InvalidDataException($"{path} line {number}: expected 'c=replacement' (one character, '=', then its replacement, which may be empty), got \"{line}\".");
            map[line[0]] = line[2..];
        }
        return map;
    }
}
