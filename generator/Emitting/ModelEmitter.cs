using System.Collections.Generic;
using System.IO;
using System.Linq;
using CtcDsl.Generator.Analysis;
using CtcDsl.Generator.Model;
using Scriban;
using Scriban.Runtime;

namespace CtcDsl.Generator.Emitting;

/// <summary>
/// Prints a <see cref="ModelPlan"/> through the embedded Scriban template <c>Model.sbncs</c>. The
/// template holds the shape of the file; this class only prepares the values it prints.
/// </summary>
internal static class ModelEmitter
{
    private static readonly Template template = LoadTemplate("Model.sbncs");

    public static string Emit(ModelPlan model)
    {
        var values = new ScriptObject();
        values.Import(new Dictionary<string, object?>
        {
            ["model"] = model,
            ["name"] = model.TypeName,
            ["features_param"] = SpecAnalyzer.Camel(model.Features.PropertyName),
            ["feature_lengths_param"] = SpecAnalyzer.Camel(model.Features.LengthsPropertyName),
            ["labels_param"] = SpecAnalyzer.Camel(model.Labels.PropertyName),
            ["label_lengths_param"] = SpecAnalyzer.Camel(model.Labels.LengthsPropertyName),
            ["tokens"] = string.Join(", ", model.Vocabulary.Tokens.Select(CSharpLiterals.String)),
            ["layers"] = model.Layers.Select(l => new Dictionary<string, object>
            {
                ["type"] = LayerEmitter.FieldType(l),
                ["field"] = l.FieldName,
                ["construct"] = LayerEmitter.Construct(l),
                ["init"] = LayerEmitter.Initialize(l).ToList(),
            }).ToList(),
            ["forward"] = ForwardLines(model),
            ["ctc_field"] = SpecAnalyzer.Camel(model.Ctc.Name) + "Loss",
            ["reduction"] = model.Ctc.Reduction switch
            {
                "sum" => "Sum",
                "length_normalized_mean" => "LengthNormalizedMean",
                _ => "Mean",
            },
            ["optimizer"] = Optimizer(model.Optimizer),
            ["metric_names"] = string.Join(", ", model.Metrics.Select(m => CSharpLiterals.String(m.Name))),
            ["metric_summary"] = string.Concat(model.Metrics.Select(m => " and " + m.Name)),
            ["history_summary"] = string.Concat(model.Metrics.Select(m => ", " + m.Name)) + (model.Metrics.Count > 0 ? " and their val_ counterparts" : " and val_loss"),
        }, null, null);
        values.Import("cs_double", new System.Func<double, string>(CSharpLiterals.Double));
        values.Import("cs_string", new System.Func<string, string>(CSharpLiterals.String));
        values.Import("cs_char", new System.Func<string, string>(CSharpLiterals.Char));

        var context = new TemplateContext { StrictVariables = true, MemberRenamer = StandardMemberRenamer.Default };
        context.PushGlobal(values);
        var text = template.Render(context);
        return text.Replace("\r\n", "\n");
    }

    private static List<string> ForwardLines(ModelPlan model)
    {
        var lines = new List<string>();
        var current = SpecAnalyzer.Camel(model.Features.PropertyName);
        if (model.Layers.Any(l => l.Kind is "lstm" or "gru"))
            lines.Add("// Unidirectional RNNs run on the padded batch: padding trails each sequence, so it never reaches a valid step.");
        foreach (var layer in model.Layers)
        {
            var output = SpecAnalyzer.Camel(layer.Name + "_out");
            lines.Add(LayerEmitter.Forward(layer, current, output));
            current = output;
        }
        // The last statement returns its value instead of naming it.
        var last = lines[lines.Count - 1];
        var declaration = $"var {current} = ";
        lines[lines.Count - 1] = last.StartsWith(declaration, System.StringComparison.Ordinal)
            ? "return " + last.Substring(declaration.Length)
            : last;
        if (!lines[lines.Count - 1].StartsWith("return ", System.StringComparison.Ordinal)) lines.Add($"return {current};");
        return lines;
    }

    private static string Optimizer(OptimizerPlan o)
    {
        var lr = CSharpLiterals.Double(o.LearningRate);
        var decay = o.WeightDecay != 0 ? $", weight_decay: {CSharpLiterals.Double(o.WeightDecay)}" : "";
        return o.Kind switch
        {
            "sgd" => $"optim.SGD(parameters(), learningRate: {lr}" +
                     (o.Momentum != 0 ? $", momentum: {CSharpLiterals.Double(o.Momentum)}" : "") + decay +
                     (o.Nesterov ? ", nesterov: true" : "") + ")",
            "adam" or "adamw" => $"optim.{(o.Kind == "adam" ? "Adam" : "AdamW")}(parameters(), lr: {lr}, beta1: {CSharpLiterals.Double(o.Beta1)}, beta2: {CSharpLiterals.Double(o.Beta2)}, eps: {CSharpLiterals.Double(o.Epsilon)}{decay})",
            _ => $"optim.RMSProp(parameters(), lr: {lr}, eps: {CSharpLiterals.Double(o.Epsilon)}{decay}" +
                 (o.Momentum != 0 ? $", momentum: {CSharpLiterals.Double(o.Momentum)}" : "") + ")",
        };
    }

    private static Template LoadTemplate(string name)
    {
        using var stream = typeof(ModelEmitter).Assembly.GetManifestResourceStream("CtcDsl.Generator.Templates." + name)
            ?? throw new FileNotFoundException("Embedded template missing: " + name);
        using var reader = new StreamReader(stream);
        var parsed = Template.Parse(reader.ReadToEnd(), name);
        if (parsed.HasErrors) throw new InvalidDataException(string.Join("; ", parsed.Messages));
        return parsed;
    }
}
