using System;
using System.IO;
using CtcDsl.Runtime.Data;
using NLayer;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MP3 (MPEG-1/2 layers I–III) through NLayer, a fully managed decoder, down-mixed to mono. NLayer
/// reports damage by exceptions of its own kinds or by decoding nothing; both become a
/// <see cref="DataFileException"/> naming the file.
/// <para>
/// Timing: for a file whose first frame is a Xing/Info tag with LAME's gapless information, NLayer
/// 3.0.1 removes the encoder's delay but not the decoder's own 529 samples, so its audio starts 529
/// samples late; they are dropped here (and as many zeros end the file), which lines the output up
/// with the original and with mpg123's gapless decoding. Files without the tag keep the codec's
/// delay (about 1105 samples), as mpg123 does. MPEG-2.5 (8–12 kHz) is refused: NLayer 3.0.1 decodes
/// it wrongly (its frame-size bug, naudio/NLayer#10, fixed after that release).
/// </para>
/// </summary>
internal sealed class Mp3Reader : SequentialAudioReader
{
    private readonly MpegFile file;
    private float[] interleaved = Array.Empty<float>();

    /// <summary>The samples NLayer's output lags the original by (see the class remarks).</summary>
    private const int DecoderDelay = 529;

    private readonly int skip;
    private int skipped;
    private bool padded;

    public Mp3Reader(Stream stream, string name) : base(stream, name)
    {
        (var version, var lameTag) = FirstFrame(stream, name);
        if (version == MpegVersion.V25)
            throw new DataFileException($"{name}: MPEG-2.5 audio (8-12 kHz MP3) is not read: the MP3 decoder (NLayer 3.0.1) decodes it wrongly; convert the file to WAV or FLAC.");
        skip = lameTag ? DecoderDelay : 0;
        stream.Position = 0;
        file = OpenMpeg();
        long frames;
        int rate, channels;
        try
        {
            rate = file.SampleRate;
            channels = file.Channels;
            frames = file.Length / sizeof(float) / channels;
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
        if (rate <= 0 || channels <= 0 || frames <= 0) throw new DataFileException($"{name}: not a valid MP3 file (no decodable MPEG audio frames).");
        Info = new AudioInfo(AudioFormat.Mp3, rate, channels, frames);
        Restart();
    }

    public override AudioInfo Info { get; }

    protected override void Restart()
    {
        skipped = 0;
        padded = false;
        try
        {
            file.Position = 0;
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
    }

    protected override float[]? DecodeBlock()
    {
        var channels = Info.Channels;
        const int framesPerBlock = 1152 * 4;
        if (interleaved.Length < framesPerBlock * channels) interleaved = new float[framesPerBlock * channels];
        int read;
        try
        {
            read = file.ReadSamples(interleaved, 0, framesPerBlock * channels);
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
        if (read <= 0)
        {
            if (padded || skip == 0) return null;
            padded = true;
            return new float[skip];
        }
        var frames = read / channels;
        var from = Math.Min(frames, skip - skipped);
        skipped += from;
        var count = frames - from;
        var mono = new float[count];
        var scale = 1.0f / channels;
        for (var i = 0; i < count; i++)
        {
            var sum = 0.0;
            for (var c = 0; c < channels; c++) sum += interleaved[(from + i) * channels + c];
            var value = (float)(sum * scale);
            if (!float.IsFinite(value)) throw new DataFileException($"{Name}: sample {i} of an MP3 block decodes to {value} (a damaged file).");
            mono[i] = value;
        }
        return mono;
    }

    private enum MpegVersion
    {
        V1,
        V2,
        V25,
        Unknown,
    }

    /// <summary>The MPEG version of the first frame (after an ID3v2 tag) and whether that frame is a Xing/Info tag with LAME's extension.</summary>
    private static (MpegVersion Version, bool LameTag) FirstFrame(Stream stream, string name)
    {
        var head = new byte[(int)Math.Min(stream.Length, 1 << 16)];
        stream.Position = 0;
        stream.ReadExactly(head);
        var at = 0;
        if (head.Length >= 10 && head[0] == 'I' && head[1] == 'D' && head[2] == '3')
        {
            var size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | (head[9] & 0x7F);
            var after = 10L + size;
            if (after + 4 > stream.Length) throw new DataFileException($"{name}: not a valid MP3 file (an ID3 tag and no audio).");
            if (after + 4 > head.Length)
            {
                head = new byte[(int)Math.Min(stream.Length - after, 1 << 16)];
                stream.Position = after;
                stream.ReadExactly(head);
            }
            else
            {
                at = (int)after;
            }
        }
        while (at + 4 <= head.Length && !(head[at] == 0xFF && (head[at + 1] & 0xE0) == 0xE0)) at++;
        if (at + 4 > head.Length) return (MpegVersion.Unknown, false);
        var version = ((head[at + 1] >> 3) & 3) switch { 3 => MpegVersion.V1, 2 => MpegVersion.V2, 0 => MpegVersion.V25, _ => MpegVersion.Unknown };
        var window = head.AsSpan(at, Math.Min(head.Length - at, 400));
        var xing = window.IndexOf("Xing"u8) >= 0 || window.IndexOf("Info"u8) >= 0;
        return (version, xing && window.IndexOf("LAME"u8) >= 0);
    }

    private MpegFile OpenMpeg()
    {
        try
        {
            return new MpegFile(Stream);
        }
        catch (Exception e) when (e is not DataFileException)
        {
            throw Damaged(e);
        }
    }

    private DataFileException Damaged(Exception e) => new($"{Name}: not a valid MP3 file ({e.GetType().Name}: {e.Message}).", e);

    protected override void Dispose(bool disposing)
    {
        if (disposing) file.Dispose();
        base.Dispose(disposing);
    }
}
