using CtcDsl.SpecFacts;
using Xunit;

namespace CtcDsl.Tests.Generator;

/// <summary>
/// runtime/SpecFacts, compiled into the runtime and the generator alike (these tests see the generator's
/// copy): the facts equal what they replaced.
/// </summary>
public class SpecFactsTests
{
    /// <summary>The mel scale is NWaves' to the bit, so the runtime's filterbank is what it was before it moved here.</summary>
    [Fact]
    public void Mel_scale_is_NWaves_bit_for_bit()
    {
        for (var hertz = 0.0; hertz <= 192_000; hertz += 37.25)
        {
            Assert.Equal(NWaves.Utils.Scale.HerzToMel(hertz), MelScale.FromHertz(hertz));
            Assert.Equal(NWaves.Utils.Scale.MelToHerz(hertz / 40), MelScale.ToHertz(hertz / 40));
        }
    }

    /// <summary>The output length counts the window's positions inside the padded input.</summary>
    [Fact]
    public void Convolution_output_length_counts_window_positions()
    {
        for (var length = 0; length <= 40; length++)
            for (var kernel = 1; kernel <= 6; kernel++)
                for (var stride = 1; stride <= 4; stride++)
                    for (var padding = 0; padding <= 3; padding++)
                        for (var dilation = 1; dilation <= 3; dilation++)
                        {
                            var positions = 0;
                            for (var start = 0; start + dilation * (kernel - 1) < length + 2 * padding; start += stride) positions++;
                            Assert.Equal(positions, ConvolutionFacts.OutputLength(length, kernel, stride, padding, dilation));
                            if (ConvolutionFacts.KeepsLength(kernel, stride, padding, dilation)) Assert.Equal(length, positions);
                        }
    }

    [Theory]
    [InlineData(8000, 256)]
    [InlineData(16000, 512)]
    [InlineData(44100, 2048)]
    [InlineData(48000, 2048)]
    public void Fft_size_follows_the_window(int sampleRate, int fft) =>
        Assert.Equal(fft, FrontEndFacts.FftSize(FrontEndFacts.Samples(FrontEndFacts.WindowSeconds, sampleRate)));
}
