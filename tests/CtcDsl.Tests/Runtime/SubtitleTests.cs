using System.Linq;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using Xunit;

namespace CtcDsl.Tests.Runtime;

/// <summary>Subtitles from timed words: the two formats exactly, and where cues break.</summary>
public class SubtitleTests
{
    private static readonly TimedWord[] Words =
    {
        new("she", 0.25, 0.5, -1), new("had", 0.55, 0.8, -1), new("your", 0.85, 1.1, -1),
        // a pause of over 0.7 s: a new cue
        new("dark", 2.0, 2.3, -1), new("suit", 2.35, 2.7, -1),
    };

    [Fact]
    public void SubRip_and_WebVTT_are_written_as_their_formats_say()
    {
        Assert.Equal("1\n00:00:00,250 --> 00:00:01,100\nshe had your\n\n2\n00:00:02,000 --> 00:00:02,700\ndark suit\n\n", Subtitles.ToSrt(Words));
        Assert.Equal("WEBVTT\n\n00:00:00.250 --> 00:00:01.100\nshe had your\n\n00:00:02.000 --> 00:00:02.700\ndark suit\n\n", Subtitles.ToWebVtt(Words));
        // Hours, and text WebVTT would read as markup.
        var late = new[] { new TimedWord("a<b>&-->c", 3723.4567, 3725, -1) };
        Assert.Equal("1\n01:02:03,457 --> 01:02:05,000\na<b>&-->c\n\n", Subtitles.ToSrt(late));
        Assert.Equal("WEBVTT\n\n01:02:03.457 --> 01:02:05.000\na&lt;b>&amp;--&gt;c\n\n", Subtitles.ToWebVtt(late));
        Assert.Equal("WEBVTT\n\n", Subtitles.ToWebVtt(System.Array.Empty<TimedWord>()));
    }

    [Fact]
    public void Cues_break_at_pauses_and_stay_within_length_and_duration()
    {
        // Eighty words, 0.3 s each without pauses.
        var words = Enumerable.Range(0, 80).Select(i => new TimedWord($"w{i % 7}{new string('x', i % 5)}", i * 0.3, i * 0.3 + 0.25, -1)).ToArray();
        var options = new SubtitleOptions { MaxCharacters = 30, MaxSeconds = 4 };
        var cues = Subtitles.Cues(words, options);
        Assert.All(cues, c => Assert.True(c.Text.Length <= 30 && c.End - c.Start <= 4, $"{c}"));
        Assert.Equal(string.Join(" ", words.Select(w => w.Text)), string.Join(" ", cues.Select(c => c.Text)));
        Assert.All(cues.Zip(cues.Skip(1)), p => Assert.True(p.First.End <= p.Second.Start));
        // A word longer than a cue's limit still gets a cue of its own.
        Assert.Single(Subtitles.Cues(new[] { new TimedWord(new string('x', 50), 0, 1, -1) }, options));
    }
}
