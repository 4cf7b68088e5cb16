namespace CtcDsl.Runtime.Nn;

/// <summary>How an attention encoder knows where a frame is.</summary>
public enum PositionEncoding
{
    /// <summary>Transformer-XL relative positions: <see cref="RelPositionalEncoding"/> and <see cref="RelPositionMultiHeadAttention"/> (NeMo's <c>rel_pos</c>).</summary>
    Relative,
    /// <summary>Absolute sinusoids added to the input: <see cref="SinusoidalPositionalEncoding"/> and <see cref="MultiHeadSelfAttention"/> (NeMo's <c>abs_pos</c>).</summary>
    Absolute,
}
