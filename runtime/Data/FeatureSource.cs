using System;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// Features that live somewhere else (an on-disk cache) and are read each time they are needed, never
/// kept: an epoch over a corpus larger than memory holds only the batches being trained on and
/// prefetched. The frame count is known without reading them, so batches can be planned up front.
/// Pass <see cref="Load"/> to a generated example's constructor (<c>new XExample(source.Load, labels)</c>).
/// </summary>
public abstract class FeatureSource
{
    /// <summary>Feature frames the source holds.</summary>
    public abstract int Frames { get; }

    /// <summary>Reads the features, <c>[Frames, width]</c>.</summary>
    /// <exception cref="DataFileException">They cannot be read; the message names the utterance.</exception>
    public abstract float[,] Load();
}

/// <summary>
/// One utterance's raw features in a <see cref="FeatureLoader"/> cache, normalised as they are read; a
/// cache entry that is gone or damaged (checked against its SHA-256 on every read) is computed again
/// from the audio.
/// </summary>
internal sealed class CachedFeatureSource(FeatureLoader loader, Utterance utterance, string path, int frames, Func<float[,], float[,]> normalize) : FeatureSource
{
    public override int Frames => frames;

    public override float[,] Load()
    {
        var raw = FeatureLoader.TryRead(path) ?? loader.Load(utterance);
        if (raw.GetLength(0) != frames)
            throw new DataFileException($"{utterance.Source}: {utterance.AudioName} now gives {raw.GetLength(0)} feature frames, not the {frames} it gave when the data set was loaded (was the file changed during training?).");
        return normalize(raw);
    }
}
