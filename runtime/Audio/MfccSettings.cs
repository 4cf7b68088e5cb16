namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MFCC settings. The defaults are python_speech_features' <c>mfcc()</c> defaults, which the seed
/// article used: 13 coefficients, 26 mel filters, FFT 512, 25 ms windows every 10 ms, pre-emphasis 0.97,
/// lifter 22, rectangular window, log frame energy in place of c0, samples at int16 scale.
/// </summary>
public sealed record MfccSettings
{
    /// <summary>Cepstral coefficients per frame.</summary>
    public int CoefficientCount { get; init; } = SpecFacts.FrontEndFacts.DefaultCoefficients;

    /// <summary>Triangular mel filters.</summary>
    public int FilterCount { get; init; } = SpecFacts.FrontEndFacts.DefaultFilters;

    /// <summary>
    /// FFT size (frames shorter than this are zero-padded). Null, the default, follows the window: the
    /// next power of two at or above its length in samples, as python_speech_features 0.6.1+ does
    /// (<c>calculate_nfft</c>): 512 at 16 kHz (the classic default, so features are unchanged there),
    /// 256 at 8 kHz, 2048 at 44.1 and 48 kHz. A fixed size must hold the window at every rate it is used at.
    /// </summary>
    public int? FftSize { get; init; }

    /// <summary>The FFT size used at <paramref name="sampleRate"/>.</summary>
    /// <exception cref="System.ArgumentException">A fixed <see cref="FftSize"/> is shorter than the window at that rate.</exception>
    public int FftSizeAt(int sampleRate)
    {
        var window = WindowSamples(sampleRate);
        var next = SpecFacts.FrontEndFacts.FftSize(window);
        if (FftSize is not { } fixedSize) return next;
        if (fixedSize < window)
            throw new System.ArgumentException(
                $"An FFT of {fixedSize} points cannot hold the {window}-sample window ({WindowSeconds * 1000:0.#} ms at {sampleRate} Hz); leave FftSize unset to follow the window, or use at least {next}.");
        return fixedSize;
    }

    /// <summary>The hop between windows in samples at <paramref name="sampleRate"/> (rounded half up, as python_speech_features).</summary>
    public int HopSamples(int sampleRate) => SpecFacts.FrontEndFacts.Samples(HopSeconds, sampleRate);

    /// <summary>The window's length in samples at <paramref name="sampleRate"/> (rounded half up, as python_speech_features).</summary>
    public int WindowSamples(int sampleRate) => SpecFacts.FrontEndFacts.Samples(WindowSeconds, sampleRate);

    /// <summary>Window length in seconds.</summary>
    public double WindowSeconds { get; init; } = SpecFacts.FrontEndFacts.WindowSeconds;

    /// <summary>Hop between windows in seconds.</summary>
    public double HopSeconds { get; init; } = SpecFacts.FrontEndFacts.HopSeconds;

    /// <summary>Pre-emphasis coefficient (0 disables it).</summary>
    public double PreEmphasis { get; init; } = 0.97;

    /// <summary>Sinusoidal lifter parameter (0 disables liftering).</summary>
    public int Lifter { get; init; } = 22;

    /// <summary>Replace c0 by the log of the frame's total power-spectrum energy.</summary>
    public bool AppendEnergy { get; init; } = true;

    /// <summary>Lowest filter edge in Hz.</summary>
    public double LowFrequency { get; init; }

    /// <summary>Highest filter edge in Hz; null means half the sample rate.</summary>
    public double? HighFrequency { get; init; }

    /// <summary>
    /// Factor applied to [-1, 1] samples before analysis. 32768 reproduces features computed on raw
    /// int16 samples (as <c>scipy.io.wavfile.read</c> returns them to python_speech_features).
    /// </summary>
    public double InputScale { get; init; } = 32768;

    /// <summary>python_speech_features' defaults.</summary>
    public static MfccSettings Default { get; } = new();
}
