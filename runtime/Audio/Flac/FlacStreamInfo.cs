namespace CtcDsl.Runtime.Audio.Flac;

/// <summary>A FLAC stream's STREAMINFO block: the format every frame must share.</summary>
/// <param name="MinBlockSize">Smallest block (samples per channel per frame) the encoder used.</param>
/// <param name="MaxBlockSize">Largest block.</param>
/// <param name="SampleRate">Samples per second.</param>
/// <param name="Channels">Channels (1–8).</param>
/// <param name="BitsPerSample">Bits per sample (4–32).</param>
/// <param name="TotalSamples">Samples per channel in the stream; 0 when the encoder did not know (a stream written on the fly).</param>
/// <param name="HasMd5">Whether the stream carries the MD5 of its decoded samples (checked when the whole stream is decoded).</param>
public sealed record FlacStreamInfo(int MinBlockSize, int MaxBlockSize, int SampleRate, int Channels, int BitsPerSample, long TotalSamples, bool HasMd5);
