using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Text;

namespace CtcDsl.Runtime.Export;

/// <summary>
/// What an exported ONNX model carries besides its graph, in the ModelProto's <c>metadata_props</c>:
/// everything a recognizer needs to turn audio into text with the <c>.onnx</c> file alone — the
/// vocabulary and blank, the front-end and its normalisation statistics, the subsampling (for
/// timestamps), and the spec's decoder. Written by the exporter (CtcDsl.Runtime), read by the ONNX
/// Runtime recognizer (CtcDsl.Onnx); both go through this one type.
/// </summary>
/// <param name="ModelName">The spec's model name.</param>
/// <param name="Vocabulary">The output alphabet with its blank and word separator.</param>
/// <param name="FeatureSize">Values per feature frame (the <c>features</c> input's last axis).</param>
/// <param name="Subsampling">Feature frames per logit frame (the convolutions' strides; 1 without).</param>
/// <param name="FrontEnd">The spec's audio front-end, or null when the model reads features only.</param>
/// <param name="Statistics">Training-set statistics of a globally normalising front-end, else null.</param>
/// <param name="Decoder">The spec's decoder.</param>
public sealed record OnnxModelInfo(string ModelName, Vocabulary Vocabulary, int FeatureSize, int Subsampling,
    FrontEndSettings? FrontEnd, FeatureStatistics? Statistics, OnnxDecoderInfo Decoder)
{
    /// <summary>Name of the features input, <c>[batch, time, FeatureSize]</c> float32.</summary>
    public const string FeaturesInput = "features";

    /// <summary>Name of the lengths input, <c>[batch]</c> int64.</summary>
    public const string FeatureLengthsInput = "feature_lengths";

    /// <summary>Name of the primary CTC head's logits output, <c>[batch, frames, classes]</c> float32 (unnormalised).</summary>
    public const string LogitsOutput = "logits";

    /// <summary>Name of the primary head's valid frames output, <c>[batch]</c> int64.</summary>
    public const string LogitLengthsOutput = "logit_lengths";

    /// <summary>Metadata key marking the streaming form of a model (<c>ExportOnnxStreaming</c>); its value is the format's version.</summary>
    public const string StreamingKey = "ctcdsl.stream";

    /// <summary>Metadata key prefix of each state input of a streaming model: <c>ctcdsl.stream.state.{input}</c> = its initial shape ("1,1,128", zeros); its next value is the output <c>{input}_out</c>.</summary>
    public const string StateKeyPrefix = "ctcdsl.stream.state.";

    /// <summary>A streaming model's int64 <c>[1]</c> input: 1 for the last chunk of an utterance (convolutions add their right padding), else 0.</summary>
    public const string FinalInput = "stream_final";

    /// <summary>Prefix of every metadata key CtcDsl writes.</summary>
    public const string Prefix = "ctcdsl.";

    /// <summary>The metadata entries, keys prefixed with <see cref="Prefix"/>; numbers in the invariant culture, lists as JSON.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>
        {
            [Prefix + "format"] = "1",
            [Prefix + "model"] = ModelName,
            [Prefix + "vocabulary"] = JsonSerializer.Serialize(Vocabulary.Tokens),
            [Prefix + "blank_index"] = Number(Vocabulary.BlankIndex),
            [Prefix + "word_separator"] = Vocabulary.WordSeparator.ToString(),
            [Prefix + "feature_size"] = Number(FeatureSize),
            [Prefix + "subsampling"] = Number(Subsampling),
            [Prefix + "decoder"] = Decoder.Kind,
            [Prefix + "beam_width"] = Number(Decoder.BeamWidth),
            [Prefix + "prune_threshold"] = Decoder.PruneThreshold.ToString("R", CultureInfo.InvariantCulture),
            [Prefix + "n_best"] = Number(Decoder.NBest),
        };
        if (FrontEnd is { } f)
        {
            metadata[Prefix + "front_end"] = f.Kind;
            metadata[Prefix + "sample_rate"] = Number(f.SampleRate);
            metadata[Prefix + "coefficients"] = Number(f.Coefficients);
            metadata[Prefix + "filters"] = Number(f.Filters);
            metadata[Prefix + "deltas"] = Number(f.Deltas);
            metadata[Prefix + "normalization"] = f.Normalization.ToString().ToLowerInvariant();
        }
        // A subword vocabulary's whole model (pieces, merges or scores, or a SentencePiece file): decoding only
        // needs the pieces, but the fingerprint then matches the checkpoint's and the file stays self-contained.
        if (Vocabulary.Subwords is { } subwords) metadata[Prefix + "subwords"] = subwords.ToText();
        if (Statistics is { } s)
        {
            // "R" round-trips: the recognizer normalises with exactly the training statistics.
            metadata[Prefix + "feature_mean"] = Floats(s.Mean);
            metadata[Prefix + "feature_std"] = Floats(s.StandardDeviation);
        }
        return metadata;
    }

    private static Vocabulary SubwordVocabulary(string text, IReadOnlyList<string> tokens, int blankIndex)
    {
        var model = SubwordModel.Parse(text, $"the ONNX model's '{Prefix}subwords' metadata");
        if (!model.Pieces.SequenceEqual(tokens, StringComparer.Ordinal))
            throw new FormatException($"'{Prefix}subwords' lists other pieces than '{Prefix}vocabulary'.");
        return Vocabulary.FromSubwords(model, blankIndex);
    }

    /// <summary>Reads the entries <see cref="ToMetadata"/> wrote.</summary>
    /// <exception cref="FormatException">An entry is missing or unreadable: not a model CtcDsl exported (the message names the entry).</exception>
    public static OnnxModelInfo FromMetadata(IReadOnlyDictionary<string, string> metadata)
    {
        string Get(string key) => metadata.TryGetValue(Prefix + key, out var value)
            ? value
            : throw new FormatException($"The ONNX model has no '{Prefix}{key}' metadata: it was not exported by CtcDsl's ExportOnnx, or by an older version.");
        int Int(string key) => int.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"'{Prefix}{key}' is not an integer: '{Get(key)}'.");
        var tokens = JsonSerializer.Deserialize<string[]>(Get("vocabulary")) ?? throw new FormatException($"'{Prefix}vocabulary' is empty.");
        var separator = Get("word_separator");
        var vocabulary = metadata.TryGetValue(Prefix + "subwords", out var subwordText)
            ? SubwordVocabulary(subwordText, tokens, Int("blank_index"))
            : new Vocabulary(tokens, Int("blank_index"), separator.Length == 1 ? separator[0] : throw new FormatException($"'{Prefix}word_separator' is not one character."));
        FrontEndSettings? frontEnd = null;
        if (metadata.ContainsKey(Prefix + "front_end"))
        {
            var normalization = Enum.TryParse<FeatureNormalizationMode>(Get("normalization"), ignoreCase: true, out var mode)
                ? mode : throw new FormatException($"'{Prefix}normalization' is not none, utterance or global: '{Get("normalization")}'.");
            frontEnd = new FrontEndSettings(Get("front_end"), Int("sample_rate"), Int("coefficients"), Int("filters"), Int("deltas"), normalization);
        }
        FeatureStatistics? statistics = metadata.ContainsKey(Prefix + "feature_mean")
            ? new FeatureStatistics(ParseFloats(Get("feature_mean")), ParseFloats(Get("feature_std")))
            : null;
        var decoder = new OnnxDecoderInfo(Get("decoder"), Int("beam_width"),
            double.Parse(Get("prune_threshold"), CultureInfo.InvariantCulture), Int("n_best"));
        return new OnnxModelInfo(Get("model"), vocabulary, Int("feature_size"), Int("subsampling"), frontEnd, statistics, decoder);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Floats(float[] values) => "[" + string.Join(",", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]";

    private static float[] ParseFloats(string json) =>
        JsonSerializer.Deserialize<float[]>(json) ?? throw new FormatException("A list of numbers was expected: " + json);
}

/// <summary>The decoder a spec declares, as an exported model records it.</summary>
/// <param name="Kind">"greedy" or "beam".</param>
/// <param name="BeamWidth">Prefixes kept (beam).</param>
/// <param name="PruneThreshold">Per-frame probability below which a class is not extended (beam).</param>
/// <param name="NBest">Hypotheses returned (beam).</param>
public sealed record OnnxDecoderInfo(string Kind, int BeamWidth = 8, double PruneThreshold = 0, int NBest = 1)
{
    /// <summary>The spec's greedy decoder.</summary>
    public static OnnxDecoderInfo Greedy { get; } = new("greedy");
}
