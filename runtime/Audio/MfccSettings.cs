namespace CtcDsl.Runtime.Audio;

/// <summary>
/// MFCC settings. The defaults are python_speech_features' <c>mfcc()</c> defaults, which the seed
/// article used: 13 coefficients, 26 mel filters, FFT 512, 25 ms windows every 10 ms, pre-emphasis 0.97,
/// lifter 22, rectangular window, log frame energy in place of c0, samples at int16 scale.
/// </summary>
public sealed record MfccSettings
{
    /// <summary>Cepstral coefficients per frame.</summary>
    public int CoefficientCount { get; init; } = 13;

    /// <summary>Triangular mel filters.</summary>
    public int FilterCount { get; init; } = 26;

    /// <summary>FFT size (frames shorter than this are zero-padded).</summary>
    public int FftSize { get; init; } = 512;

    /// <summary>Window length in seconds.</summary>
    public double WindowSeconds { get; init; } = 0.025;

    /// <summary>Hop between windows in seconds.</summary>
    public double HopSeconds { get; init; } = 0.01;

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
