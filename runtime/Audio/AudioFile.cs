using System;
using System.IO;
using CtcDsl.Runtime.Audio.Mpeg;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.Audio;

/// <summary>An audio file's container and coding.</summary>
public enum AudioFormat
{
    /// <summary>RIFF WAVE: PCM integer or IEEE float.</summary>
    Wav,
    /// <summary>FLAC (LibriSpeech's format), decoded by <see cref="Flac.FlacDecoder"/>.</summary>
    Flac,
    /// <summary>MPEG-1/2 audio layer I–III (Common Voice ships layer III), decoded by NLayer.</summary>
    Mp3,
}

/// <summary>What a file holds, from its headers.</summary>
/// <param name="Format">The container.</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Channels">Channels (down-mixed to mono when read).</param>
/// <param name="Frames">Samples per channel.</param>
public sealed record AudioInfo(AudioFormat Format, int SampleRate, int Channels, long Frames)
{
    /// <summary>Duration in seconds.</summary>
    public double Duration => (double)Frames / SampleRate;
}

/// <summary>
/// The one entry point for audio files: WAV, FLAC and MP3, told apart by their first bytes (not by
/// the name), down-mixed to mono and optionally resampled. Every failure is a
/// <see cref="DataFileException"/> naming the file and the reason.
/// </summary>
public static class AudioFile
{
    /// <summary>Reads the whole of <paramref name="path"/>, resampled to <paramref name="sampleRate"/> when given.</summary>
    /// <exception cref="DataFileException">The file is missing, unreadable, of an unknown format or damaged.</exception>
    public static MonoAudio Read(string path, int? sampleRate = null)
    {
        MonoAudio audio;
        var format = Detect(path);
        if (format == AudioFormat.Wav)
        {
            audio = WavAudio.Read(path);
        }
        else
        {
            using var reader = Open(OpenFile(path), format, path); // the format is known: not sniffed twice
            audio = reader.ReadAll();
        }
        return sampleRate is { } rate ? audio.Resample(rate) : audio;
    }

    /// <summary>Decodes a whole file held in memory; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="DataFileException">The bytes are not a usable WAV, FLAC or MP3 file.</exception>
    public static MonoAudio Decode(byte[] bytes, string name)
    {
        var format = Sniff(bytes, name);
        if (format == AudioFormat.Wav) return WavAudio.Decode(bytes, name);
        using var reader = Open(new MemoryStream(bytes, writable: false), format, name);
        return reader.ReadAll();
    }

    /// <summary>The format, rate, channels and length of <paramref name="path"/>.</summary>
    /// <remarks>WAV and FLAC read their headers (a FLAC stream that does not state its length is decoded to count it); MP3 scans its frame headers.</remarks>
    /// <exception cref="DataFileException">The file is missing, unreadable, of an unknown format or damaged.</exception>
    public static AudioInfo Probe(string path)
    {
        using var reader = Open(path);
        return reader.Info;
    }

    /// <summary>Opens <paramref name="path"/> for reading ranges of mono samples, a piece at a time.</summary>
    /// <exception cref="DataFileException">The file is missing, unreadable, of an unknown format or damaged.</exception>
    public static AudioReader Open(string path)
    {
        var format = Detect(path);
        return format == AudioFormat.Wav ? new WavRangeReader(path) : Open(OpenFile(path), format, path);
    }

    /// <summary>Opens the part <paramref name="segment"/> of <paramref name="path"/> (all of it when null) as if it were the whole file.</summary>
    /// <exception cref="DataFileException">The file is missing, unreadable, damaged, or the segment does not lie within it.</exception>
    public static AudioReader Open(string path, AudioSegment? segment)
    {
        var reader = Open(path);
        if (segment is null) return reader;
        try
        {
            return new SegmentAudioReader(reader, segment, path);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>The format of <paramref name="path"/>, from its first bytes.</summary>
    /// <exception cref="DataFileException">The file is missing, unreadable or none of the formats read.</exception>
    public static AudioFormat Detect(string path)
    {
        using var stream = OpenFile(path);
        var head = new byte[Math.Min(stream.Length, 16)];
        stream.ReadExactly(head);
        var format = Sniff(head, path, stream);
        return format;
    }

    private static AudioReader Open(Stream stream, AudioFormat format, string name)
    {
        try
        {
            return format == AudioFormat.Flac ? new FlacReader(stream, name) : new Mp3Reader(stream, name);
        }
        catch
        {
            stream.Dispose(); // a file refused while opening is not left open
            throw;
        }
    }

    internal static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path)) throw new DataFileException($"{path}: is a folder, not an audio file.");
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            throw new DataFileException($"{path}: cannot read the file ({e.Message}).", e);
        }
    }

    /// <summary>
    /// The format from the first bytes: "RIFF"/"RF64" WAV, "fLaC" FLAC. An ID3v2 tag (which both FLAC
    /// and MP3 files may start with) must be followed by a FLAC stream or MPEG audio frames, and MPEG
    /// audio is only taken for such when several frame headers follow each other where their lengths
    /// put them (<see cref="MpegLayout.Sniff"/>): a lone frame sync in random bytes is not MP3.
    /// </summary>
    private static AudioFormat Sniff(byte[] head, string name, Stream? file = null)
    {
        if (Starts(head, "RIFF") || Starts(head, "RF64")) return AudioFormat.Wav;
        if (Starts(head, "fLaC")) return AudioFormat.Flac;
        if (Starts(head, "ID3") || (head.Length >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0))
        {
            var stream = file ?? new MemoryStream(head, writable: false);
            try
            {
                return MpegLayout.Sniff(stream, name);
            }
            catch (IOException e) when (e is not DataFileException)
            {
                throw new DataFileException($"{name}: cannot read the file ({e.Message}).", e);
            }
        }
        if (head.Length == 0) throw new DataFileException($"{name}: the file is empty.");
        throw new DataFileException($"{name}: not a WAV, FLAC or MP3 file (it starts with {Describe(head)}).");
    }

    private static bool Starts(byte[] bytes, string magic)
    {
        if (bytes.Length < magic.Length) return false;
        for (var i = 0; i < magic.Length; i++)
            if (bytes[i] != magic[i]) return false;
        return true;
    }

    private static string Describe(byte[] head)
    {
        var shown = head.AsSpan(0, Math.Min(head.Length, 4)).ToArray();
        var printable = Array.TrueForAll(shown, b => b is >= 0x20 and < 0x7F);
        return printable ? $"'{System.Text.Encoding.ASCII.GetString(shown)}'" : "bytes " + Convert.ToHexString(shown);
    }
}
