namespace CtcDsl.Runtime.Loss;

/// <summary>How per-utterance CTC negative log-likelihoods become one loss.</summary>
public enum CtcReduction
{
    /// <summary>Batch mean of per-utterance negative log-likelihoods (Keras/TensorFlow <c>reduce_mean(ctc_loss)</c>; the seed article).</summary>
    Mean,
    /// <summary>Sum over the batch.</summary>
    Sum,
    /// <summary>Each utterance's loss divided by its label length, then the batch mean (PyTorch's <c>reduction='mean'</c>).</summary>
    LengthNormalizedMean,
}
