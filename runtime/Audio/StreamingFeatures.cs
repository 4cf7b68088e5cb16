using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Data;

namespace CtcDsl.Runtime.Audio;

/// <summary>
/// Features of a long audio file (WAV, FLAC, MP3) computed a segment at a time, so memory is bounded by the segment
/// length and not by the recording's: each segment of frames reads only the source samples it needs
/// (plus a margin for the resampler's filters, at a sample where source and target grids meet), is
/// resampled and featurised on its own, and keeps the frames whose windows it holds whole. Frames are
/// those of the whole file computed at once, up to the resampler's float rounding; the one frame
/// before each segment is recomputed so pre-emphasis sees its previous sample.
/// </summary>
internal static class StreamingFeatures
{
    /// <summary>Source samples read beyond each segment on both sides (the resampler's filters reach 101 taps).</summary>
    private const int Margin = 512;

    public static float[,] Extract(string path, AudioSegment? segment, int targetRate, Func<MonoAudio, float[,]> extract, MfccSettings settings, int framesPerSegment)
    {
        using var reader = AudioFile.Open(path, segment);
        var (sourceRate, sourceFrames) = (reader.Info.SampleRate, reader.Info.Frames);
        if (sourceFrames == 0) throw new DataFileException($"{path}: the file holds no samples.");
        var window = settings.WindowSamples(targetRate);
        var hop = settings.HopSamples(targetRate);
        var targetLength = sourceRate == targetRate ? sourceFrames : (long)Math.Floor(sourceFrames * (double)targetRate / sourceRate);
        var totalFrames = targetLength <= window ? 1 : 1 + (long)Math.Ceiling((double)(targetLength - window) / hop);
        if (totalFrames <= framesPerSegment)
            return extract(new MonoAudio(reader.ReadRange(0, checked((int)sourceFrames)), sourceRate).Resample(targetRate));

        var common = Gcd(sourceRate, targetRate);
        long sourcePeriod = sourceRate / common, targetPeriod = targetRate / common; // the grids meet every sourcePeriod samples
        var pieces = new List<float[,]>();
        long total = 0;
        var width = 0;
        for (long first = 0; first < totalFrames; first += framesPerSegment)
        {
            var end = Math.Min(totalFrames, first + framesPerSegment);
            var startTarget = first == 0 ? 0 : (first - 1) * hop; // one frame earlier: pre-emphasis needs the sample before
            var endTarget = Math.Min(targetLength, (end - 1) * hop + window);

            var sourceFrom = Math.Max(0, (long)Math.Floor(startTarget * (double)sourceRate / targetRate) - Margin) / sourcePeriod * sourcePeriod;
            var sourceTo = Math.Min(sourceFrames, (long)Math.Ceiling(endTarget * (double)sourceRate / targetRate) + Margin);
            var source = new MonoAudio(reader.ReadRange(sourceFrom, checked((int)(sourceTo - sourceFrom))), sourceRate);
            var resampled = source.Resample(targetRate).Samples;
            var offset = (int)(startTarget - sourceFrom / sourcePeriod * targetPeriod);
            var length = (int)Math.Min(endTarget - startTarget, resampled.Length - offset);
            var features = extract(new MonoAudio(resampled.AsSpan(offset, length).ToArray(), targetRate));

            var skip = first == 0 ? 0 : 1;
            var keep = (int)Math.Min(end - first, features.GetLength(0) - skip);
            width = features.GetLength(1);
            var piece = new float[keep, width];
            Buffer.BlockCopy(features, skip * width * sizeof(float), piece, 0, keep * width * sizeof(float));
            pieces.Add(piece);
            total += keep;
        }

        var result = new float[total, width];
        long row = 0;
        foreach (var piece in pieces)
        {
            Buffer.BlockCopy(piece, 0, result, (int)(row * width * sizeof(float)), piece.Length * sizeof(float));
            row += piece.GetLength(0);
        }
        return result;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
