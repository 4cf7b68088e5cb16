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
    /// <exception cref="DataFileException">The manifest is missing, unreadable, not UTF-8 or malformed; the message names the file and line.</exception>
    public static IReadOnlyList<Utterance> Read(string path)
    {
        try
        {
            if (Directory.Exists(path)) return ReadLibriSpeech(path);
            return Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".csv" => ReadDeepSpeechCsv(path),
                ".jsonl" or ".json" => ReadJsonLines(path),
                var other => throw new DataFileException($"{path}: unknown manifest type '{other}'; use a DeepSpeech .csv, a .jsonl file, or a LibriSpeech folder."),
            };
        }
        catch (Exception e) when (e is IOException and not DataFileException or UnauthorizedAccessException)
        {
            throw new DataFileException($"{path}: cannot read the manifest ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The lines of a manifest, decoded as strict UTF-8 (a byte-order mark is skipped): a Latin-1 or
    /// UTF-16 file fails naming the line instead of turning 'é' into U+FFFD.
    /// </summary>
    internal static IEnumerable<(int Number, string Text)> ReadLines(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new DataFileException($"{path}: cannot read the manifest ({e.Message}).", e);
        }
        var start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        if (bytes.Length >= 2 && (bytes[0], bytes[1]) is (0xFF, 0xFE) or (0xFE, 0xFF))
            throw new DataFileException($"{path}: the manifest is UTF-16; save it as UTF-8.");
        var number = 0;
        while (start <= bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            number++;
            var length = end - start;
            if (length > 0 && bytes[start + length - 1] == '\r') length--;
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes, start, length);
            }
            catch (DecoderFallbackException e)
            {
                var bad = e.BytesUnknown is { Length: > 0 } unknown ? $" (byte 0x{unknown[0]:X2})" : "";
                throw new DataFileException($"{path} line {number}: not UTF-8{bad}; save the manifest as UTF-8 (a Latin-1 'é' is one byte that UTF-8 cannot read).", e);
            }
            if (end < bytes.Length || length > 0) yield return (number, text);
            start = end + 1;
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>An audio path of a manifest, resolved against its folder; a path the system cannot hold names the line.</summary>
    private static string AudioPath(string directory, string written, string source)
    {
        if (written.Length == 0) throw new DataFileException($"{source}: the audio path is empty.");
        try
        {
            return Path.GetFullPath(Path.Combine(directory, written));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new DataFileException($"{source}: '{written}' is not a usable path ({e.Message}).", e);
        }
    }

    /// <summary>DeepSpeech's CSV: a header naming <c>wav_filename</c> and <c>transcript</c> (any order, <c>wav_filesize</c> optional), RFC 4180 quoting.</summary>
    public static IReadOnlyList<Utterance> ReadDeepSpeechCsv(string path)
    {
        var lines = ReadLines(path).Select(l => l.Text).ToArray();
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
            result.Add(new Utterance(AudioPath(directory, fields[file], $"{path} line {i + 1}"), fields[text], $"{path} line {i + 1}"));
        }
        return result;
    }

    /// <summary>
    /// JSON lines: one object per line with <c>audio</c> and <c>text</c>. A <c>.json</c> file may instead
    /// hold one array of such objects (items are then named by their index).
    /// </summary>
    public static IReadOnlyList<Utterance> ReadJsonLines(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = ReadLines(path).ToList();
        var result = new List<Utterance>();
        var firstText = lines.Select(l => l.Text.Trim()).FirstOrDefault(t => t.Length > 0);
        if (firstText is not null && firstText.StartsWith("[", StringComparison.Ordinal))
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(string.Join("\n", lines.Select(l => l.Text)));
            }
            catch (JsonException e)
            {
                throw new DataFileException($"{path} line {(e.LineNumber ?? 0) + 1}: not valid JSON ({e.Message}).", e);
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Array)
                    throw new DataFileException($"{path}: expected an array of {{\"audio\": \"path\", \"text\": \"...\"}} objects.");
                var index = 0;
                foreach (var item in document.RootElement.EnumerateArray())
                    result.Add(Entry(item, directory, $"{path} item {index++}"));
            }
            return result;
        }
        foreach (var (number, line) in lines)
        {
            if (line.Trim().Length == 0) continue;
            var source = $"{path} line {number}";
            try
            {
                using var document = JsonDocument.Parse(line);
                result.Add(Entry(document.RootElement, directory, source));
            }
            catch (JsonException e)
            {
                throw new DataFileException($"{source}: not valid JSON ({e.Message}).", e);
            }
        }
        return result;
    }

    private static Utterance Entry(JsonElement element, string directory, string source)
    {
        if (element.ValueKind != JsonValueKind.Object ||
            !element.TryGetProperty("audio", out var audio) || audio.ValueKind != JsonValueKind.String ||
            !element.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            throw new DataFileException($"{source}: expected {{\"audio\": \"path\", \"text\": \"...\"}}, found {Describe(element)}.");
        return new Utterance(AudioPath(directory, audio.GetString()!, source), text.GetString()!, source);
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object without a text 'audio' and 'text'",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        var kind => "a " + kind.ToString().ToLowerInvariant(),
    };

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
            foreach (var (lineNumber, line) in ReadLines(transcripts))
            {
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
