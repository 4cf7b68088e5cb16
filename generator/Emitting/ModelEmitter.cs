using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Generator.CSharp;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;
using Scriban;
using Scriban.Runtime;

namespace CtcDsl.Generator.Emitting;

/// <summary>
/// Prints a <see cref="ModelPlan"/> through the embedded Scriban template <c>Model.sbncs</c>. The
/// template holds the shape of the file; this class only prepares the values it prints. Layers print
/// themselves (their records in generator/Layers): nothing here depends on a layer's kind.
/// </summary>
internal static class ModelEmitter
{
    private static readonly Template template = LoadTemplate("Model.sbncs");

    public static string Emit(ModelPlan model)
    {
        var multipleNodes = model.CtcNodes.Count > 1;
        var values = new ScriptObject();
        values.Import(new Dictionary<string, object?>
        {
            ["model"] = model,
            ["name"] = model.TypeName,
            ["features_param"] = CSharpNames.Camel(model.Features.PropertyName),
            ["feature_lengths_param"] = CSharpNames.Camel(model.Features.LengthsPropertyName),
            ["labels_param"] = CSharpNames.Camel(model.Labels.PropertyName),
            ["label_lengths_param"] = CSharpNames.Camel(model.Labels.LengthsPropertyName),
            ["tokens"] = string.Join(", ", model.Vocabulary.Tokens.Select(CSharpLiterals.String)),
            ["layers"] = model.Layers.Where(l => l.FieldType is not null).Select(l => new Dictionary<string, object>
            {
                ["type"] = l.FieldType!,
                ["field"] = l.FieldName,
                ["construct"] = l.Construct(),
                ["init"] = l.Initialize().ToList(),
            }).ToList(),
            ["run"] = model.Layers.SelectMany(l => l.Forward()).ToList(),
            ["export"] = model.Layers.SelectMany(l => l.Export()).ToList(),
            ["outputs"] = model.CtcNodes.Select(n => new Dictionary<string, object>
            {
                ["property"] = n.LogitsProperty,
                ["local"] = n.LogitsLocal,
                ["lengths_local"] = n.LengthsLocal,
                ["node"] = n.Name,
                ["onnx_name"] = CSharpLiterals.String(n.Name + "_logits"),
            }).ToList(),
            ["ctc_nodes"] = model.CtcNodes.Select(n => new Dictionary<string, object>
            {
                ["field"] = CSharpNames.Camel(n.Name),
                ["local"] = multipleNodes ? n.LossField : "loss",
                ["property"] = n.LogitsProperty,
                ["reduction"] = n.Reduction switch { "sum" => "Sum", "length_normalized_mean" => "LengthNormalizedMean", _ => "Mean" },
                ["zero_infinity"] = CSharpLiterals.Bool(n.ZeroInfinity),
                ["metric"] = CSharpLiterals.String(n.Name + "_loss"),
            }).ToList(),
            ["multiple_nodes"] = multipleNodes,
            // Weights go through the runtime, which owns the scalars (an implicit Scalar can be freed mid-call).
            ["total_loss"] = model.CtcNodes.All(n => n.Weight == 1)
                ? "global::CtcDsl.Runtime.Nn.Tensors.Sum(" + string.Join(", ", model.CtcNodes.Select(n => n.LossField)) + ")"
                : "global::CtcDsl.Runtime.Loss.CtcLoss.WeightedSum(" + string.Join(", ", model.CtcNodes.Select(n => $"({n.LossField}, {CSharpLiterals.Double(n.Weight)})")) + ")",
            ["primary"] = model.Primary.LogitsProperty,
            ["output_lengths"] = LengthsExpression(model.Primary.Subsampling, CSharpNames.Camel(model.Features.LengthsPropertyName)),
            ["output_frames"] = model.CtcNodes.Select(n => FramesExpression(n.Subsampling)).Distinct().Aggregate((a, b) => $"global::System.Math.Min({a}, {b})"),
            ["subsamples"] = model.Primary.Subsampling.Count > 0,
            ["uses_greedy"] = model.Metrics.Any(m => m.Decoder == "greedy"),
            ["uses_model_decoder"] = model.Metrics.Any(m => m.Decoder == "model"),
            ["metrics"] = model.Metrics.Select(m => Metric(m, model.Vocabulary.Subwords is not null)).ToList(),
            ["decoder"] = Decoder(model.Decoder),
            ["optimizer"] = Optimizer(model.Optimizer),
            ["streaming"] = model.Streaming,
            ["front_end"] = model.FrontEnd is { } f
                ? $"new global::CtcDsl.Runtime.Audio.FrontEndSettings({CSharpLiterals.String(f.Kind)}, SampleRate: {f.SampleRate}, Coefficients: {f.Coefficients}, Filters: {f.Filters}, Deltas: {f.Deltas}, Normalization: global::CtcDsl.Runtime.Audio.FeatureNormalizationMode.{char.ToUpperInvariant(f.Normalization[0]) + f.Normalization.Substring(1)}" +
                  (f.Augment is { } a ? $", Augment: new global::CtcDsl.Runtime.Audio.SpecAugment({a.FrequencyMasks}, {a.MaxFrequencyWidth}, {a.TimeMasks}, {a.MaxTimeWidth}, {CSharpLiterals.Double(a.MaxTimeFraction)})" : "") + ")"
                : null,
            // A spec with a front-end reads audio: its model derives from the runtime's audio base.
            ["base_type"] = model.FrontEnd is null ? "CtcModel" : "CtcAudioModel",
            ["augment"] = model.FrontEnd?.Augment is not null,
            ["transcripts"] = Transcripts(model.Vocabulary),
            ["subwords"] = model.Vocabulary.Subwords is { } sw
                ? $"new(nameof({model.TypeName}Model), {CSharpLiterals.String(sw.Type)}, size: {sw.Size}, blankIndex: BlankIndex, modelFile: {(sw.ModelFile is null ? "null" : CSharpLiterals.String(sw.ModelFile))}, specFolder: {CSharpLiterals.String(sw.SpecFolder)})"
                : null,
            ["subwords_summary"] = model.Vocabulary.Subwords is { } summary
                ? (summary.ModelFile is null ? $"{summary.Type}, {summary.Size} pieces trained from transcripts" : $"the SentencePiece model {summary.ModelFile}, {summary.Size} pieces")
                : null,
            ["schedule"] = model.Training.Schedule is { } s ? Schedule(s) : null,
            ["early_stopping"] = model.Training.EarlyStopping is { } e
                ? $"new global::CtcDsl.Runtime.Training.EarlyStopping({CSharpLiterals.String(e.Monitor)}, Patience: {e.Patience}, MinDelta: {CSharpLiterals.Double(e.MinDelta)}, Maximize: {CSharpLiterals.Bool(e.Maximize)})"
                : null,
            ["metric_names"] = string.Join(", ",
                (multipleNodes ? model.CtcNodes.Select(n => n.Name + "_loss") : Enumerable.Empty<string>())
                .Concat(model.Metrics.Select(m => m.Name)).Select(CSharpLiterals.String)),
            ["metric_summary"] = MetricNames(model) is { Length: > 0 } names ? $" and the metrics {names}" : "",
        }, null, null);
        values.Import("cs_double", new System.Func<double, string>(CSharpLiterals.Double));
        values.Import("cs_string", new System.Func<string, string>(CSharpLiterals.String));
        values.Import("cs_char", new System.Func<string, string>(CSharpLiterals.Char));

        // No loop limit: the analysis bounds the number of layers, and Scriban's default (1000) would fail a large spec.
        var context = new TemplateContext { StrictVariables = true, MemberRenamer = StandardMemberRenamer.Default, LoopLimit = 0 };
        context.PushGlobal(values);
        return template.Render(context).Replace("\r\n", "\n");
    }

    /// <summary>Valid lengths after <paramref name="subsampling"/>, as a tensor expression of the feature lengths.</summary>
    private static string LengthsExpression(EquatableArray<ConvPlan> subsampling, string featureLengths) =>
        subsampling.Aggregate(featureLengths, LayerCode.ConvolvedLengths);

    /// <summary>Output frames of an input of <c>frames</c> frames after <paramref name="subsampling"/>, as an int expression.</summary>
    private static string FramesExpression(EquatableArray<ConvPlan> subsampling) =>
        subsampling.Aggregate("frames", LayerCode.ConvolvedLength);

    private static string MetricNames(ModelPlan model) =>
        string.Join(", ", (model.CtcNodes.Count > 1 ? model.CtcNodes.Select(n => n.Name + "_loss") : Enumerable.Empty<string>()).Concat(model.Metrics.Select(m => m.Name)));

    /// <summary>A metric's entry; a subword vocabulary's CER compares the decoded texts' characters, not its pieces.</summary>
    private static string Metric(MetricPlan metric, bool subwords)
    {
        var decoded = metric.Decoder == "greedy" ? "greedy" : "decoded";
        var aggregation = metric.Aggregation == "corpus" ? "global::CtcDsl.Runtime.Metrics.ErrorAggregation.Corpus" : "global::CtcDsl.Runtime.Metrics.ErrorAggregation.MeanPerUtterance";
        var value = metric.Kind == "wer"
            ? $"global::CtcDsl.Runtime.Metrics.ErrorRate.Words(Texts({decoded}), Texts(batch.LabelIds), Vocabulary.WordSeparator, {aggregation})"
            : metric.Kind == "cer" && subwords
            ? $"global::CtcDsl.Runtime.Metrics.ErrorRate.Characters(Texts({decoded}), Texts(batch.LabelIds), {aggregation})"
            : $"global::CtcDsl.Runtime.Metrics.ErrorRate.Compute({decoded}, batch.LabelIds, {aggregation})";
        return $"[{CSharpLiterals.String(metric.Name)}] = {value},";
    }

    /// <summary>The transcript normaliser the vocabulary's unknown-character policy declares (of the lambda's <c>vocabulary</c> for a subword one).</summary>
    private static string Transcripts(VocabularyPlan v) => Transcripts(v, v.Subwords is null ? "Vocabulary" : "vocabulary");

    private static string Transcripts(VocabularyPlan v, string vocabulary) => v.UnknownCharacters switch
    {
        "drop" => $"new({vocabulary}) {{ Policy = global::CtcDsl.Runtime.Data.UnknownCharacterPolicy.Drop }}",
        "map" => $"new({vocabulary})" + "\n        {\n            Policy = global::CtcDsl.Runtime.Data.UnknownCharacterPolicy.Map,\n            Map = new global::System.Collections.Generic.Dictionary<char, string> { " +
                 string.Join(", ", v.Map.Select(m => $"[{CSharpLiterals.Char(m.From)}] = {CSharpLiterals.String(m.To)}")) + " },\n        }",
        _ => $"new({vocabulary})",
    };

    private static string Schedule(SchedulePlan s)
    {
        var inner = s.Kind switch
        {
            "step" => $"new global::CtcDsl.Runtime.Training.LearningRateSchedule.StepDecay({s.StepSize}, {CSharpLiterals.Double(s.Gamma)})",
            "exponential" => $"new global::CtcDsl.Runtime.Training.LearningRateSchedule.Exponential({CSharpLiterals.Double(s.Gamma)})",
            "cosine" => $"new global::CtcDsl.Runtime.Training.LearningRateSchedule.Cosine({s.Epochs}, {CSharpLiterals.Double(s.MinimumRate)})",
            _ => "new global::CtcDsl.Runtime.Training.LearningRateSchedule.Constant()",
        };
        return s.WarmupSteps > 0 ? $"new global::CtcDsl.Runtime.Training.LearningRateSchedule.Warmup({s.WarmupSteps}, {inner})" : inner;
    }

    private static string Optimizer(OptimizerPlan o)
    {
        var lr = CSharpLiterals.Double(o.LearningRate);
        var decay = o.WeightDecay != 0 ? $", weight_decay: {CSharpLiterals.Double(o.WeightDecay)}" : "";
        return o.Kind switch
        {
            "sgd" => $"global::TorchSharp.torch.optim.SGD(parameters(), learningRate: {lr}" +
                     (o.Momentum != 0 ? $", momentum: {CSharpLiterals.Double(o.Momentum)}" : "") + decay +
                     (o.Nesterov ? ", nesterov: true" : "") + ")",
            "adam" or "adamw" => $"global::TorchSharp.torch.optim.{(o.Kind == "adam" ? "Adam" : "AdamW")}(parameters(), lr: {lr}, beta1: {CSharpLiterals.Double(o.Beta1)}, beta2: {CSharpLiterals.Double(o.Beta2)}, eps: {CSharpLiterals.Double(o.Epsilon)}{decay})",
            _ => $"global::TorchSharp.torch.optim.RMSProp(parameters(), lr: {lr}, eps: {CSharpLiterals.Double(o.Epsilon)}{decay}" +
                 (o.Momentum != 0 ? $", momentum: {CSharpLiterals.Double(o.Momentum)}" : "") + ")",
        };
    }

    internal static Template LoadTemplate(string name)
    {
        using var stream = typeof(ModelEmitter).Assembly.GetManifestResourceStream("CtcDsl.Generator.Templates." + name)
            ?? throw new FileNotFoundException("Embedded template missing: " + name);
        using var reader = new StreamReader(stream);
        var parsed = Template.Parse(reader.ReadToEnd(), name);
        if (parsed.HasErrors) throw new InvalidDataException(string.Join("; ", parsed.Messages));
        return parsed;
    }

    /// <summary>The expression that builds the spec's decoder: greedy, the plain beam search, or the fused one (which reads its files on first use).</summary>
    private static string Decoder(DecoderPlan decoder)
    {
        if (decoder.Kind != "beam") return "new global::CtcDsl.Runtime.Decoding.GreedyCtcDecoder(BlankIndex)";
        if (decoder.Fusion is not { } fusion)
            return $"new global::CtcDsl.Runtime.Decoding.PrefixBeamSearch(BlankIndex, beamWidth: {decoder.BeamWidth}, pruneThreshold: {CSharpLiterals.Double(decoder.PruneThreshold)}, nBest: {decoder.NBest})";
        var options = new List<string>
        {
            $"BeamWidth = {decoder.BeamWidth}",
            $"NBest = {decoder.NBest}",
            $"Alpha = {CSharpLiterals.Double(fusion.Alpha)}",
            $"Beta = {CSharpLiterals.Double(fusion.Beta)}",
        };
        if (fusion.Unit == "token") options.Add("Unit = global::CtcDsl.Runtime.Decoding.LanguageModelUnit.Token");
        if (decoder.PruneThreshold > 0) options.Add($"TokenMinLogProb = global::System.Math.Log({CSharpLiterals.Double(decoder.PruneThreshold)})");
        if (fusion.OutOfLexiconPenalty is { } penalty) options.Add($"OutOfLexiconPenalty = {CSharpLiterals.Double(penalty)}");
        if (fusion.Hotwords.Count > 0)
            options.Add("Hotwords = new (string, double)[] { " + string.Join(", ", fusion.Hotwords.Select(h => $"({CSharpLiterals.String(h.Phrase)}, {CSharpLiterals.Double(h.Boost)})")) + " }");
        return "global::CtcDsl.Runtime.Decoding.SpecDecoders.LanguageModelBeam(Vocabulary, " +
               $"specFolder: {CSharpLiterals.String(fusion.SpecFolder)}, languageModelPath: {Nullable(fusion.LanguageModel)}, lexiconPath: {Nullable(fusion.Lexicon)}, " +
               $"new global::CtcDsl.Runtime.Decoding.LanguageModelBeamSearchOptions {{ {string.Join(", ", options)} }})";
    }

    private static string Nullable(string? text) => text is null ? "null" : CSharpLiterals.String(text);
}
