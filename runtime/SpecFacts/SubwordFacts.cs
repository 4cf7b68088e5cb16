namespace CtcDsl.SpecFacts;

/// <summary>
/// The subword vocabulary's facts: its kinds and the sizes a spec may ask for. Compiled into the
/// runtime (trainers, <c>SubwordSettings</c>) and the generator (the spec's checks), so the two agree.
/// </summary>
internal static class SubwordFacts
{
    /// <summary>Byte-pair encoding, trained from transcripts.</summary>
    public const string Bpe = "bpe";

    /// <summary>The unigram language model, trained from transcripts.</summary>
    public const string Unigram = "unigram";

    /// <summary>A SentencePiece <c>.model</c> file (its own BPE or unigram).</summary>
    public const string SentencePiece = "sentencepiece";

    /// <summary>The smallest number of pieces (the blank excluded).</summary>
    public const int MinimumSize = 2;

    /// <summary>The largest number of pieces (the blank excluded).</summary>
    public const int MaximumSize = 65536;

    /// <summary>The values of <c>type:</c>.</summary>
    public static readonly string[] TrainedTypes = { Bpe, Unigram };
}
