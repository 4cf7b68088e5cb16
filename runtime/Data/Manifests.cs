using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace CtcDsl.Runtime.Data;

/// <summary>One utterance of a data set: its audio file, its transcript, and where it was listed.</summary>
/// <param name="AudioPath">Absolute path of the audio file.</param>
/// <param name="Transcript">The transcript as written in the manifest.</param>
/// <param name="Source">Where the utterance was listed ("train.csv line 7"), for error messages.</param>
public sealed record Utterance(string AudioPath, string Transcript, string Source);

/// <summary>
/// Reads data-set manifests: DeepSpeech CSV (<c>wav_filename,wav_filesize,transcript</c>), JSON lines
/// (<c>{"audio": path, "text": ...}</c>) and LibriSpeech's folders (<c>*.trans.txt</c>). Relative
/// audio paths resolve against the manifest's folder. Malformed entries fail naming file and line.
/// </summary>
public static class Manifests
{
    /// <summary>Reads <paramref name="path"/>: a folder is LibriSpeech, <c>.csv</c> DeepSpeech, <c>.jsonl</c>/<c>.json</c> JSON lines.</summary>
    public static IReadOnlyList<Utterance> Read(string path)
    {
        if (Directory.Exists(path)) return ReadLibriSpeech(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".csv" => ReadDeepSpeechCsv(path),
            ".jsonl" or ".json" => ReadJsonLines(path),
            var other => throw new DataFileException($"{path}: unknown manifest type '{other}'; use a DeepSpeech .csv, a .jsonl file, or a LibriSpeech folder."),
        };
    }

    /// <summary>DeepSpeech's CSV: a header naming <c>wav_filename</c> and <c>transcript</c> (any order, <c>wav_filesize</c> optional), RFC 4180 quoting.</summary>
    public static IReadOnlyList<Utterance> ReadDeepSpeechCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0) throw new DataFileException($"{path}: the manifest is empty.");
        var header = SplitCsv(lines[0], path, 1);
        var file = Array.IndexOf(header, "wav_filename");
        var text = Array.IndexOf(header, "transcript");
        if (file < 0 || text < 0)
            throw new DataFileException($"{path} line 1: the header must name wav_filename and transcript; found {string.Join(",", header)}.");
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var result = new List<Utterance>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var fields = SplitCsv(lines[i], path, i + 1);
            if (fields.Length != header.Length)
                throw new DataFileException($"{path} line {i + 1}: {fields.Length} fields where the header has {header.Length}.");
            result.Add(new Utterance(Path.GetFullPath(Path.Combine(directory, fields[file])), fields[text], $"{path} line {i + 1}"));
        }
        return result;
    }

    /// <summary>JSON lines: one object per line with <c>audio</c> and <c>text</c>.</summary>
    public static IReadOnlyList<Utterance> ReadJsonLines(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var result = new List<Utterance>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (!root.TryGetProperty("audio", out var audio) || audio.ValueKind != JsonValueKind.String ||
                    !root.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                    throw new DataFileException($"{path} line {lineNumber}: expected {{\"audio\": \"path\", \"text\": \"...\"}}.");
                result.Add(new Utterance(Path.GetFullPath(Path.Combine(directory, audio.GetString()!)), text.GetString()!, $"{path} line {lineNumber}"));
            }
            catch (JsonException e)
            {
                throw new DataFileException($"{path} line {lineNumber}: not valid JSON ({e.Message}).", e);
            }
        }
        return result;
    }

    /// <summary>
    /// LibriSpeech: every <c>*.trans.txt</c> below <paramref name="root"/>, one "ID TEXT" per line,
    /// audio beside it as <c>ID.wav</c> (LibriSpeech ships FLAC, which must be converted to WAV first).
    /// </summary>
    public static IReadOnlyList<Utterance> ReadLibriSpeech(string root)
    {
        var result = new List<Utterance>();
        foreach (var transcripts in Directory.EnumerateFiles(root, "*.trans.txt", SearchOption.AllDirectories).OrderBy(p => p, StringComparer.Ordinal))
        {
            var directory = Path.GetDirectoryName(transcripts)!;
            var lineNumber = 0;
            foreach (var line in File.ReadLines(transcripts))
            {
                lineNumber++;
                if (line.Trim().Length == 0) continue;
                var space = line.IndexOf(' ');
                if (space <= 0) throw new DataFileException($"{transcripts} line {lineNumber}: expected 'ID TEXT'.");
                var id = line.Substring(0, space);
                var wav = Path.Combine(directory, id + ".wav");
                if (!File.Exists(wav) && File.Exists(Path.Combine(directory, id + ".flac")))
                    throw new DataFileException($"{transcripts} line {lineNumber}: {id}.flac is FLAC, which is not read; convert it to {id}.wav.");
                result.Add(new Utterance(wav, line.Substring(space + 1), $"{transcripts} line {lineNumber}"));
            }
        }
        if (result.Count == 0) throw new DataFileException($"{root}: no *.trans.txt files (not a LibriSpeech folder).");
        return result;
    }

    /// <summary>Splits one CSV record (RFC 4180: quoted fields, doubled quotes).</summary>
    private static string[] SplitCsv(string line, string path, int lineNumber)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else field.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        if (quoted) throw new DataFileException($"{path} line {lineNumber}: unterminated quote.");
        fields.Add(field.ToString());
        return fields.ToArray();
    }
}
