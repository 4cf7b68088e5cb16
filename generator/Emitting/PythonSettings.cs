using System.Linq;
using System.Text;
using CtcDsl.Generator.Layers;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Emitting;

/// <summary>
/// <c>spec.json</c> of the exported package: the settings <c>train.py</c> reads (vocabulary, optimizer,
/// schedule, clipping, batch size, epochs, seed, SpecAugment), resolved by the analysis with its defaults,
/// so the trainer needs no YAML parser of its own.
/// </summary>
internal static class PythonSettings
{
    public static string Json(ModelPlan model)
    {
        var o = model.Optimizer;
        var t = model.Training;
        var text = new StringBuilder("{\n");
        text.Append($"  \"model\": {String(model.TypeName + "Model")},\n");
        text.Append($"  \"spec\": {String(model.SpecFileName)},\n");
        text.Append($"  \"tokens\": [{string.Join(", ", model.Vocabulary.Tokens.Select(String))}],\n");
        text.Append($"  \"blank\": {model.Vocabulary.BlankIndex},\n");
        text.Append($"  \"feature_size\": {model.Features.Size},\n");
        text.Append($"  \"optimizer\": {{\"type\": {String(o.Kind)}, \"learning_rate\": {Number(o.LearningRate)}, \"momentum\": {Number(o.Momentum)}, " +
                    $"\"nesterov\": {(o.Nesterov ? "true" : "false")}, \"weight_decay\": {Number(o.WeightDecay)}, \"beta1\": {Number(o.Beta1)}, \"beta2\": {Number(o.Beta2)}, \"epsilon\": {Number(o.Epsilon)}}},\n");
        text.Append("  \"schedule\": " + (t.Schedule is { } s
            ? $"{{\"type\": {String(s.Kind)}, \"step_size\": {s.StepSize}, \"gamma\": {Number(s.Gamma)}, \"epochs\": {s.Epochs}, \"min_learning_rate\": {Number(s.MinimumRate)}, \"warmup_steps\": {s.WarmupSteps}}}"
            : "null") + ",\n");
        text.Append($"  \"epochs\": {t.Epochs},\n");
        text.Append($"  \"batch_size\": {t.BatchSize},\n");
        text.Append($"  \"shuffle\": {(t.Shuffle ? "true" : "false")},\n");
        text.Append($"  \"seed\": {t.Seed},\n");
        text.Append($"  \"clip_grad_norm\": {(t.ClipGradientNorm is { } clip ? Number(clip) : "null")},\n");
        text.Append("  \"spec_augment\": " + (model.FrontEnd?.Augment is { } a
            ? $"{{\"frequency_masks\": {a.FrequencyMasks}, \"max_frequency_width\": {a.MaxFrequencyWidth}, \"time_masks\": {a.TimeMasks}, \"max_time_width\": {a.MaxTimeWidth}, \"max_time_fraction\": {Number(a.MaxTimeFraction)}}}"
            : "null") + "\n");
        text.Append("}\n");
        return text.ToString();
    }

    private static string Number(double value) => PythonCode.Double(value);

    private static string String(string value) => PythonCode.String(value);
}
