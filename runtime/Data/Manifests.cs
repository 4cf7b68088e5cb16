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
/// (<c>{"audio": path, "text": ...}</c>, or NeMo's <c>audio_filepath</c>), Common Voice TSV
/// (<c>path</c>, <c>sentence</c>, clips in <c>clips/</c>), Kaldi data folders (<c>wav.scp</c> and
/// <c>text</c>) and LibriSpeech's folders (<c>*.trans.txt</c>). Relative audio paths resolve against
/// the manifest's folder. Malformed entries fail naming file and line.
/// </summary>
public static class Manifests
{
    /// <summary>
    /// Reads <paramref name="path"/>: a folder with <c>wav.scp</c> is a Kaldi data folder, another
    /// folder LibriSpeech; <c>.csv</c> is DeepSpeech, <c>.tsv</c> Common Voice, <c>.jsonl</c>/<c>.json</c> JSON lines (NeMo's too).
    /// </summary>
    /// <exception cref="DataFileException">The manifest is missing, unreadable, not UTF-8 or malformed; the message names the file and line.</exception>
    public static IReadOnlyList<Utterance> Read(string path)
    {
        try
        {
            if (Directory.Exists(path)) return File.Exists(Path.Combine(path, "wav.scp")) ? ReadKaldi(path) : ReadLibriSpeech(path);
            return Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".csv" => ReadDeepSpeechCsv(path),
                ".tsv" => ReadCommonVoiceTsv(path),
                ".jsonl" or ".json" => ReadJsonLines(path),
                var other => throw new DataFileException($"{path}: unknown manifest type '{other}'; use a DeepSpeech .csv, a Common Voice .tsv, a .jsonl file, a Kaldi data folder or a LibriSpeech folder."),
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
        // NeMo names the audio audio_filepath (and adds duration, and offset for a segment).
        if (element.ValueKind != JsonValueKind.Object ||
            !(element.TryGetProperty("audio", out var audio) || element.TryGetProperty("audio_filepath", out audio)) || audio.ValueKind != JsonValueKind.String ||
            !element.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
            throw new DataFileException($"{source}: expected {{\"audio\": \"path\", \"text\": \"...\"}} (or NeMo's \"audio_filepath\"), found {Describe(element)}.");
        if (element.TryGetProperty("offset", out var offset) && !(offset.ValueKind == JsonValueKind.Number && offset.TryGetDouble(out var seconds) && seconds == 0))
            throw new DataFileException($"{source}: \"offset\" {offset.GetRawText()}: segments of a recording are not read; cut the audio into files or drop the offset.");
        return new Utterance(AudioPath(directory, audio.GetString()!, source), text.GetString()!, source);
    }

    /// <summary>
    /// Common Voice: a tab-separated file whose header names <c>path</c> and <c>sentence</c>; the clips
    /// are in <c>clips/</c> beside it. Common Voice ships MP3, which is not read: a clip converted to
    /// WAV with the same name (<c>x.wav</c> for <c>x.mp3</c>) is taken instead.
    /// </summary>
    public static IReadOnlyList<Utterance> ReadCommonVoiceTsv(string path)
    {
        var lines = ReadLines(path).ToList();
        if (lines.Count == 0) throw new DataFileException($"{path}: the manifest is empty.");
        var header = lines[0].Text.Split('\t');
        var file = Array.IndexOf(header, "path");
        var text = Array.IndexOf(header, "sentence");
        if (file < 0 || text < 0)
            throw new DataFileException($"{path} line 1: the header must name path and sentence (tab-separated); found {string.Join(", ", header)}.");
        var clips = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, "clips");
        var result = new List<Utterance>();
        foreach (var (number, line) in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var source = $"{path} line {number}";
            var fields = line.Split('\t');
            if (fields.Length != header.Length)
                throw new DataFileException($"{source}: {fields.Length} fields where the header has {header.Length}.");
            var audio = AudioPath(clips, fields[file], source);
            if (Path.GetExtension(audio).Equals(".mp3", StringComparison.OrdinalIgnoreCase))
            {
                var wav = Path.ChangeExtension(audio, ".wav");
                if (!File.Exists(wav))
                    throw new DataFileException($"{source}: {fields[file]} is MP3, which is not read; convert it to {Path.GetFileName(wav)} in {clips}.");
                audio = wav;
            }
            result.Add(new Utterance(audio, fields[text], source));
        }
        return result;
    }

    /// <summary>
    /// A Kaldi data folder: <c>wav.scp</c> ("ID path") and <c>text</c> ("ID transcript"), utterances
    /// in <c>text</c>'s order. Commands in <c>wav.scp</c> ("... |") and <c>segments</c> are not read.
    /// </summary>
    public static IReadOnlyList<Utterance> ReadKaldi(string folder)
    {
        var scp = Path.Combine(folder, "wav.scp");
        var textPath = Path.Combine(folder, "text");
        if (!File.Exists(textPath)) throw new DataFileException($"{folder}: a Kaldi data folder needs a 'text' file beside wav.scp.");
        if (File.Exists(Path.Combine(folder, "segments")))
            throw new DataFileException($"{Path.Combine(folder, "segments")}: segments of recordings are not read; cut the audio into one file per utterance.");
        var audio = new Dictionary<string, (string Path, string Source)>(StringComparer.Ordinal);
        foreach (var (number, line) in ReadLines(scp))
        {
            if (line.Trim().Length == 0) continue;
            var source = $"{scp} line {number}";
            var (id, rest) = KaldiFields(line, source, "ID PATH");
            if (rest.EndsWith("|", StringComparison.Ordinal))
                throw new DataFileException($"{source}: '{rest}' is a command; only plain audio paths are read.");
            if (!audio.TryAdd(id, (AudioPath(folder, rest, source), source)))
                throw new DataFileException($"{source}: utterance '{id}' is listed twice (first at {audio[id].Source}).");
        }
        var result = new List<Utterance>();
        foreach (var (number, line) in ReadLines(textPath))
        {
            if (line.Trim().Length == 0) continue;
            var source = $"{textPath} line {number}";
            var (id, transcript) = KaldiFields(line, source, "ID TRANSCRIPT");
            if (!audio.TryGetValue(id, out var entry))
                throw new DataFileException($"{source}: utterance '{id}' has no audio in {scp}.");
            result.Add(new Utterance(entry.Path, transcript, source));
        }
        return result;
    }

    private static (string Id, string Value) KaldiFields(string line, string source, string expected)
    {
        var trimmed = line.Trim();
        var space = trimmed.IndexOfAny(new[] { ' ', '\t' });
        if (space <= 0) throw new DataFileException($"{source}: expected '{expected}'.");
        return (trimmed.Substring(0, space), trimmed.Substring(space + 1).Trim());
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
