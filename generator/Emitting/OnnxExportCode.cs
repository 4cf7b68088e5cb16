using System.Collections.Generic;
using CtcDsl.Generator.Model;

namespace CtcDsl.Generator.Emitting;

/// <summary>
/// The body of the generated <c>ExportOnnx</c>: per layer, the runtime <c>OnnxGraph</c> call that adds
/// its nodes, in the order and with the locals of <c>Run</c> (so the two read side by side).
/// </summary>
internal static class OnnxExportCode
{
    public static IEnumerable<string> Layer(LayerPlan layer)
    {
        var input = layer.Inputs.Count > 0 ? layer.Inputs[0] : "";
        var activation = layer.Activation is { } a ? $", {CSharpLiterals.String(a)}" : "";
        switch (layer.Kind)
        {
            case "lstm":
            case "gru":
                yield return layer.Bidirectional
                    ? $"var {layer.Output} = onnx.Rnn({layer.FieldName}, {input}, {layer.InputLengths});"
                    : $"var {layer.Output} = onnx.Rnn({layer.FieldName}, {input});";
                break;
            case "dense":
                yield return $"var {layer.Output} = onnx.Linear({layer.FieldName}, {input}{activation});";
                break;
            case "conv1d":
                var c = layer.Conv!;
                yield return $"var {layer.Output} = onnx.Conv1d({layer.FieldName}, onnx.ZeroPadding({input}, {layer.InputLengths}){activation});";
                if (!c.KeepsLength)
                    yield return $"var {layer.OutputLengths} = onnx.ConvolvedLengths({layer.InputLengths}, kernel: {c.Kernel}, stride: {c.Stride}, padding: {c.Padding}, dilation: {c.Dilation});";
                break;
            case "dropout":
                yield return $"var {layer.Output} = onnx.Dropout({input});";
                break;
            case "layer_norm":
                yield return $"var {layer.Output} = onnx.LayerNorm({layer.FieldName}, {input});";
                break;
            case "batch_norm":
                yield return $"var {layer.Output} = onnx.BatchNorm({layer.FieldName}, {input});";
                break;
            case "activation":
                yield return $"var {layer.Output} = onnx.Activation({(layer.Activation is { } f ? CSharpLiterals.String(f) : "null")}, {input});";
                break;
            case "add":
                yield return $"var {layer.Output} = onnx.Sum({string.Join(", ", layer.Inputs)});";
                break;
            case "concat":
                yield return $"var {layer.Output} = onnx.Concat({string.Join(", ", layer.Inputs)});";
                break;
            case "masking":
                break; // an alias: later layers read its input's local
            default:
                throw new System.ArgumentException($"layer '{layer.Name}' ({layer.Kind}) has no ONNX export", nameof(layer));
        }
    }
}
