using System;
using System.Collections.Generic;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Tests.Export;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>The streaming front-end gives the offline front-end's frames, whatever the pieces.</summary>
public class StreamingFrontEndTests
{
    public static IEnumerable<object[]> Cases() =>
        from kind in new[] { "logfbank", "mfcc" }
        from piece in new[] { 1, 7, 160, 399, 400, 777, 1600, int.MaxValue }
        from deltas in new[] { 0, 1, 2 }
        where deltas == 0 || piece is 1 or 160 or 777 or int.MaxValue
        select new object[] { kind, piece, deltas };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Frames_equal_the_offline_front_ends(string kind, int piece, int deltas)
    {
        var settings = new FrontEndSettings(kind, Deltas: deltas, Normalization: FeatureNormalizationMode.Global);
        var statistics = new FeatureStatistics(Enumerable.Range(0, settings.Width).Select(i => 0.5f * i).ToArray(), Enumerable.Range(0, settings.Width).Select(i => 1 + 0.1f * i).ToArray());
        // Longer than a window, shorter, ending mid-hop, and 4–6 frames (deltas reading past both ends at once).
        foreach (var seconds in new[] { 1.37, 0.02, 0.4013, 0.061, 0.071 })
        {
            var audio = StreamingTests.Audio(seed: 5, seconds: seconds);
            var offline = new FrontEnd(settings) { Statistics = statistics }.Compute(new MonoAudio(audio, 16000));
            var stream = new StreamingFrontEnd(settings, statistics);
            var rows = new List<float[,]>();
            for (var start = 0; start < audio.Length; start += Math.Min(piece, audio.Length))
                rows.Add(stream.Accept(audio.AsSpan(start, Math.Min(piece, audio.Length - start))));
            rows.Add(stream.Finish());
            var streamed = rows.SelectMany(Rows).ToList();
            Assert.Equal(offline.GetLength(0), streamed.Count);
            for (var t = 0; t < streamed.Count; t++)
                for (var c = 0; c < settings.Width; c++)
                    Assert.True(offline[t, c] == streamed[t][c], $"{kind}, deltas {deltas}, {seconds} s in pieces of {piece}: frame {t}, value {c}: {streamed[t][c]} streamed, {offline[t, c]} offline");
        }
    }

    [Fact]
    public void Front_ends_that_cannot_stream_are_refused_with_the_reason()
    {
        Assert.Contains("normalize: global", Assert.Throws<NotSupportedException>(() => new StreamingFrontEnd(new FrontEndSettings("mfcc"), null)).Message);
        Assert.Throws<ArgumentException>(() => new StreamingFrontEnd(new FrontEndSettings("mfcc", Normalization: FeatureNormalizationMode.Global), null));
    }

    private static IEnumerable<float[]> Rows(float[,] matrix) =>
        Enumerable.Range(0, matrix.GetLength(0)).Select(t => Enumerable.Range(0, matrix.GetLength(1)).Select(c => matrix[t, c]).ToArray());
}
