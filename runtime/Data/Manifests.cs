using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace CtcDsl.Runtime.Data;

/// <summary>One utterance of a data set: its audio file (or a segment of it), its transcript, and where it was listed.</summary>
/// <param name="AudioPath">Absolute path of the audio file.</param>
/// <param name="Transcript">The transcript as written in the manifest.</param>
/// <param name="Source">Where the utterance was listed ("train.csv line 7"), for error messages.</param>
public sealed record Utterance(string AudioPath, string Transcript, string Source)
{
    /// <summary>The part of the file the utterance is (a NeMo <c>offset</c>/<c>duration</c>, a Kaldi segment); null: the whole file.</summary>
    public AudioSegment? Segment { get; init; }

    /// <summary>The utterance's length in seconds when the manifest states it (NeMo's <c>duration</c>, a segment's length): batches can be planned before any audio is read.</summary>
    public double? Duration { get; init; }

    /// <summary>Names the audio in messages: the path, and the segment when there is one.</summary>
    public string AudioName => Segment is { } segment ? $"{AudioPath} [{segment}]" : AudioPath;
}

/// <summary>A part of a recording, in seconds.</summary>
/// <param name="Start">Where it starts.</param>
/// <param name="End">Where it ends; null: at the end of the recording.</param>
public sealed record AudioSegment(double Start, double? End)
{
    /// <summary>The segment in samples at <paramref name="sampleRate"/>, checked against a recording of <paramref name="frames"/> samples.</summary>
    /// <exception cref="DataFileException">The segment does not lie within the recording.</exception>
    public (long First, long Count) Samples(int sampleRate, long frames, string name)
    {
        var first = (long)Math.Round(Start * sampleRate);
        var last = End is { } end ? (long)Math.Round(end * sampleRate) : frames;
        // A stated end up to 10 ms past the recording is rounding in whoever wrote the manifest.
        if (last > frames && last - frames <= sampleRate / 100) last = frames;
        if (first < 0 || first >= last || last > frames)
            throw new DataFileException($"{name}: the segment {this} does not lie within the recording ({(double)frames / sampleRate:0.###} s).");
        return (first, last - first);
    }

    /// <inheritdoc />
    public override string ToString() => End is { } end ? $"{Start:0.###}-{end:0.###} s" : $"{Start:0.###} s to the end";
}

/// <summary>
/// Reads data-set manifests: DeepSpeech CSV (<c>wav_filename,wav_filesize,transcript</c>), JSON lines
/// (<c>{"audio": path, "text": ...}</c>, or NeMo's <c>audio_filepath</c> with <c>duration</c> and
/// <c>offset</c>), Common Voice TSV (<c>path</c>, <c>sentence</c>, clips in <c>clips/</c>), Kaldi data
/// folders (<c>wav.scp</c>, <c>text</c>, optional <c>segments</c>) and LibriSpeech's folders
/// (<c>*.trans.txt</c>). Audio may be WAV, FLAC or MP3 (<see cref="Audio.AudioFile"/>). Relative audio paths resolve against
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

    /// <summary>The largest manifest read (bytes): a corpus of millions of lines fits; an endless or planted file stops here.</summary>
    public const long MaxManifestBytes = 1L << 30;

    /// <summary>The longest manifest line (bytes); a line lists one utterance, so 1 MiB is generous.</summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>
    /// The lines of a manifest, decoded as strict UTF-8 (a byte-order mark is skipped): a Latin-1 or
    /// UTF-16 file fails naming the line instead of turning 'é' into U+FFFD. A folder, a FIFO, a device
    /// or an empty file is refused before opening (<see cref="OutsideFile"/>); a file over
    /// <see cref="MaxManifestBytes"/> or a line over <see cref="MaxLineBytes"/> is refused naming the bound.
    /// </summary>
    internal static IEnumerable<(int Number, string Text)> ReadLines(string path)
    {
        byte[] bytes;
        try
        {
            OutsideFile.RequireRegular(path, "manifest");
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            var length = file.Length;
            if (length > MaxManifestBytes)
                throw new DataFileException($"{path}: {length} bytes, more than the {MaxManifestBytes} bytes a manifest may have (the bound); split it into several manifests.");
            // Only what the file's size states is read: a file that grows while it is read (or lies about its size) cannot push past the bound.
            bytes = new byte[length];
            var got = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
            if (got < bytes.Length) Array.Resize(ref bytes, got);
        }
        catch (Exception e) when (e is IOException and not DataFileException or UnauthorizedAccessException)
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
            if (length > MaxLineBytes)
                throw new DataFileException($"{path} line {number}: longer than {MaxLineBytes} bytes (the bound on a manifest line); not a manifest.");
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
        var duration = Seconds(element, "duration", source);
        var offset = Seconds(element, "offset", source);
        if (duration is <= 0) throw new DataFileException($"{source}: \"duration\" {duration} is not a length; it must be positive.");
        // NeMo reads `duration` seconds from `offset` whenever the line has an offset key, 0 included;
        // with no offset key the duration describes the whole file (NeMo's own convention).
        var segment = offset is { } start && duration is { } length ? new AudioSegment(start, start + length)
            : offset is { } from && from > 0 ? new AudioSegment(from, null) : null;
        return new Utterance(AudioPath(directory, audio.GetString()!, source), text.GetString()!, source) { Segment = segment, Duration = duration };
    }

    /// <summary>A number of seconds (finite, not negative) or null when the field is absent.</summary>
    private static double? Seconds(JsonElement element, string field, string source)
    {
        if (!element.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var seconds) || !double.IsFinite(seconds) || seconds < 0)
            throw new DataFileException($"{source}: \"{field}\" {value.GetRawText()} is not a number of seconds.");
        return seconds;
    }

    /// <summary>
    /// Common Voice: a tab-separated file whose header names <c>path</c> and <c>sentence</c>; the clips
    /// (MP3, read as they are) are in <c>clips/</c> beside it.
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
            result.Add(new Utterance(AudioPath(clips, fields[file], source), fields[text], source));
        }
        return result;
    }

    /// <summary>
    /// A Kaldi data folder: <c>wav.scp</c> ("ID path") and <c>text</c> ("ID transcript"), utterances
    /// in <c>text</c>'s order. With <c>segments</c> ("UTTERANCE RECORDING START END", END −1 for the
    /// end of the recording) the IDs of <c>text</c> are segments of the recordings <c>wav.scp</c>
    /// lists. Commands in <c>wav.scp</c> ("... |") are not run.
    /// </summary>
    public static IReadOnlyList<Utterance> ReadKaldi(string folder)
    {
        var scp = Path.Combine(folder, "wav.scp");
        var textPath = Path.Combine(folder, "text");
        if (!File.Exists(textPath)) throw new DataFileException($"{folder}: a Kaldi data folder needs a 'text' file beside wav.scp.");
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
        var segments = ReadKaldiSegments(Path.Combine(folder, "segments"), audio, scp);
        var result = new List<Utterance>();
        foreach (var (number, line) in ReadLines(textPath))
        {
            if (line.Trim().Length == 0) continue;
            var source = $"{textPath} line {number}";
            var (id, transcript) = KaldiFields(line, source, "ID TRANSCRIPT");
            if (segments is not null)
            {
                if (!segments.TryGetValue(id, out var part))
                    throw new DataFileException($"{source}: utterance '{id}' is not in {Path.Combine(folder, "segments")}.");
                result.Add(new Utterance(part.Path, transcript, source) { Segment = part.Segment, Duration = part.Segment.End - part.Segment.Start });
                continue;
            }
            if (!audio.TryGetValue(id, out var entry))
                throw new DataFileException($"{source}: utterance '{id}' has no audio in {scp}.");
            result.Add(new Utterance(entry.Path, transcript, source));
        }
        return result;
    }

    /// <summary>Kaldi's <c>segments</c>, when the folder has one: utterance ID → recording path and span.</summary>
    private static Dictionary<string, (string Path, AudioSegment Segment, string Source)>? ReadKaldiSegments(
        string path, Dictionary<string, (string Path, string Source)> recordings, string scp)
    {
        if (!File.Exists(path)) return null;
        var segments = new Dictionary<string, (string, AudioSegment, string)>(StringComparer.Ordinal);
        foreach (var (number, line) in ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            var source = $"{path} line {number}";
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 4)
                throw new DataFileException($"{source}: expected 'UTTERANCE RECORDING START END', found {fields.Length} fields.");
            if (!recordings.TryGetValue(fields[1], out var recording))
                throw new DataFileException($"{source}: recording '{fields[1]}' is not in {scp}.");
            if (!double.TryParse(fields[2], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var start) || !double.IsFinite(start) || start < 0)
                throw new DataFileException($"{source}: start '{fields[2]}' is not a number of seconds.");
            if (!double.TryParse(fields[3], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var end) || !double.IsFinite(end) || (end <= start && end != -1))
                throw new DataFileException($"{source}: end '{fields[3]}' must be a time after the start {fields[2]} (or -1: the end of the recording).");
            if (!segments.TryAdd(fields[0], (recording.Path, new AudioSegment(start, end == -1 ? null : end), source)))
                throw new DataFileException($"{source}: utterance '{fields[0]}' is listed twice.");
        }
        return segments;
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
    /// audio beside it as <c>ID.flac</c> (as LibriSpeech ships it) or <c>ID.wav</c>.
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
                var flac = Path.Combine(directory, id + ".flac");
                var audio = File.Exists(flac) ? flac : Path.Combine(directory, id + ".wav");
                result.Add(new Utterance(audio, line.Substring(space + 1), $"{transcripts} line {lineNumber}"));
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
