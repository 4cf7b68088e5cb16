using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Tokenizers;

namespace CtcDsl.Runtime.Text;

// A SentencePiece .model file (BPE or unigram, as trained by Google's spm_train) read with
// Microsoft.ML.Tokenizers, which parses the protobuf and encodes as the reference does (its
// normaliser, dummy prefix and byte fallback included). The CTC classes are the model's pieces in id
// order, control pieces (<unk>, <s>, </s>) included, as NeMo's CTC heads take them.
public sealed partial class SubwordModel
{
    private readonly SentencePieceTokenizer? sentencePiece;
    private readonly byte[]? sentencePieceBytes;

    private SubwordModel(SentencePieceTokenizer tokenizer, byte[] bytes, IReadOnlyList<string> pieces) : this("sentencepiece", pieces, Array.Empty<(string, string)>())
    {
        sentencePiece = tokenizer;
        sentencePieceBytes = bytes;
    }

    /// <summary>
    /// Reads a SentencePiece model file (<c>spm_train</c>'s <c>.model</c>): its pieces become the
    /// vocabulary's tokens in id order, and text is encoded with the model itself.
    /// </summary>
    /// <exception cref="FormatException">The file is not a SentencePiece model Microsoft.ML.Tokenizers can read; the message names it.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static SubwordModel LoadSentencePiece(string path) => FromSentencePiece(File.ReadAllBytes(path), path);

    /// <summary>A SentencePiece model from its file's bytes; <paramref name="name"/> names it in errors.</summary>
    internal static SubwordModel FromSentencePiece(byte[] bytes, string name)
    {
        SentencePieceTokenizer tokenizer;
        try
        {
            tokenizer = SentencePieceTokenizer.Create(new MemoryStream(bytes, writable: false), addBeginningOfSentence: false, addEndOfSentence: false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The library reports a damaged protobuf with several exception types; one message for all.
            throw new FormatException($"{name}: not a SentencePiece model ({e.GetType().Name}: {e.Message}).", e);
        }
        var byId = tokenizer.Vocabulary.OrderBy(p => p.Value).ToList();
        if (byId.Count == 0 || byId.Where((p, i) => p.Value != i).Any())
            throw new FormatException($"{name}: the SentencePiece model's piece ids are not 0..{byId.Count - 1}.");
        return new SubwordModel(tokenizer, bytes, byId.Select(p => p.Key).ToArray());
    }

    /// <summary>The SentencePiece model's encoding, refusing text it can only spell with the unknown piece.</summary>
    private IReadOnlyList<string> EncodeSentencePiece(string text, string? item)
    {
        var ids = sentencePiece!.EncodeToIds(text, addBeginningOfSentence: false, addEndOfSentence: false);
        if (ids.Contains(sentencePiece.UnknownId))
        {
            // Point at the first character no piece spells (or the text's start when the pieces cannot tell).
            var position = text.Select((c, i) => (c, i)).FirstOrDefault(p => !char.IsWhiteSpace(p.c) && !Covers(p.c)).i;
            throw new VocabularyException(text, position, item);
        }
        return ids.Select(id => pieces[id]).ToArray();
    }
}
