using System;
using System.Reflection;
using CtcDsl.Runtime.Export;
using CtcDsl.Runtime.Nn;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Export;

/// <summary>
/// The ONNX wiring of each example spec written by hand against the runtime's <see cref="OnnxGraph"/>,
/// mirroring the generated <c>Run</c>: it tests the runtime exporter on its own, and the generated
/// <c>ExportOnnx</c> must write the very same model.
/// </summary>
internal static class HandWiredExport
{
    public static byte[] Model(string spec, nn.Module model)
    {
        var featureSize = (int)model.GetType().GetField("FeatureSize")!.GetValue(null)!;
        var g = new OnnxGraph(featureSize);
        T M<T>(string field) => (T)model.GetType().GetField(field, BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(model)!;
        var (x, lengths) = (g.Features, g.FeatureLengths);
        switch (System.IO.Path.GetFileName(spec))
        {
            case "ldc93s1.ctc.yaml":
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Rnn(M<TorchSharp.Modules.LSTM>("rnn"), x)), lengths);
                break;
            case "beam-wer.ctc.yaml":
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Dropout(g.Rnn(M<BidirectionalRnn>("encoder"), x, lengths))), lengths);
                break;
            case "bigru.ctc.yaml":
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Rnn(M<BidirectionalRnn>("encoder"), x, lengths)), lengths);
                break;
            case "deepspeech2.ctc.yaml":
            {
                var conv1 = g.Conv1d(M<Conv1d>("conv1"), g.ZeroPadding(x, lengths));
                var conv1Lengths = g.ConvolvedLengths(lengths, kernel: 11, stride: 2, padding: 5, dilation: 1);
                var relu1 = g.Activation("relu", g.BatchNorm(M<MaskedBatchNorm>("norm1"), conv1));
                var conv2 = g.Conv1d(M<Conv1d>("conv2"), g.ZeroPadding(relu1, conv1Lengths), "relu");
                var encoder = g.Rnn(M<BidirectionalRnn>("encoder"), conv2, conv1Lengths);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.LayerNorm(M<TorchSharp.Modules.LayerNorm>("norm2"), encoder)), conv1Lengths);
                break;
            }
            case "interctc.ctc.yaml":
            {
                var block1 = g.Rnn(M<TorchSharp.Modules.LSTM>("block1"), x);
                var inter = g.Linear(M<TorchSharp.Modules.Linear>("interLogits"), block1);
                var block2 = g.Rnn(M<TorchSharp.Modules.LSTM>("block2"), block1);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Sum(block1, block2)), lengths);
                g.Output(inter, lengths, "inter_logits");
                break;
            }
            case "synthetic.ctc.yaml":
            {
                var conv = g.Conv1d(M<Conv1d>("conv"), g.ZeroPadding(x, lengths), "relu");
                var convLengths = g.ConvolvedLengths(lengths, kernel: 5, stride: 2, padding: 2, dilation: 1);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Rnn(M<BidirectionalRnn>("encoder"), conv, convLengths)), convLengths);
                break;
            }
            case "conformer-ctc.ctc.yaml":
            case "conformer-ctc-bpe.ctc.yaml":
            {
                var (subsampled, subsampledLengths) = g.Conv2dSubsampling(M<Conv2dSubsampling>("subsampling"), x, lengths);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Conformer(M<ConformerEncoder>("encoder"), subsampled, subsampledLengths)), subsampledLengths);
                break;
            }
            case "transformer-pre-post.ctc.yaml":
            {
                var (subsampled, subsampledLengths) = g.Conv2dSubsampling(M<Conv2dSubsampling>("subsampling"), x, lengths);
                var pre = g.Transformer(M<TransformerEncoder>("pre"), subsampled, subsampledLengths);
                var post = g.Transformer(M<TransformerEncoder>("post"), pre, subsampledLengths);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), post), subsampledLengths);
                break;
            }
            case "attention-x8.ctc.yaml":
            {
                var (subsampled, subsampledLengths) = g.Conv2dSubsampling(M<Conv2dSubsampling>("subsampling"), x, lengths);
                var conformer = g.Conformer(M<ConformerEncoder>("conformer"), subsampled, subsampledLengths);
                var transformer = g.Transformer(M<TransformerEncoder>("transformer"), conformer, subsampledLengths);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), transformer), subsampledLengths);
                break;
            }
            case "streaming.ctc.yaml":
            {
                var conv = g.Conv1d(M<Conv1d>("conv"), g.ZeroPadding(x, lengths), "relu");
                var convLengths = g.ConvolvedLengths(lengths, kernel: 5, stride: 2, padding: 0, dilation: 1);
                g.Output(g.Linear(M<TorchSharp.Modules.Linear>("logits"), g.Rnn(M<TorchSharp.Modules.GRU>("encoder"), conv)), convLengths);
                break;
            }
            default:
                throw new ArgumentException("No hand wiring for " + spec, nameof(spec));
        }
        return g.ToModel(Info(model));
    }

    /// <summary>The model's own metadata (its protected <c>OnnxInfo</c>).</summary>
    public static OnnxModelInfo Info(nn.Module model) =>
        (OnnxModelInfo)model.GetType().GetMethod("OnnxInfo", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(model, null)!;
}
