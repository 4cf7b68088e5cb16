using System;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>Data policies a spec declares, through the generated code: transcript normalisation and SpecAugment.</summary>
public class SpecDataPolicyTests
{
    [Fact]
    public void Declared_character_map_normalises_transcripts()
    {
        var generated = new GeneratedModel("bigru.ctc.yaml");
        var normalizer = (TranscriptNormalizer)generated.ModelType.GetProperty("Transcripts")!.GetValue(null)!;
        Assert.Equal("cafe au lait", normalizer.Normalize(new Utterance("a.wav", "Café-au-lait!", "m.csv line 2")));
        Assert.Contains("m.csv line 3: character '?'", Assert.Throws<DataFileException>(() =>
            normalizer.Normalize(new Utterance("b.wav", "what?", "m.csv line 3"))).Message);
    }

    [Fact]
    public void Spec_augment_masks_training_batches_only_and_repeats_per_epoch()
    {
        var generated = new GeneratedModel("deepspeech2.ctc.yaml");
        var examples = generated.Examples(4);
        var batchType = generated.ModelType.Assembly.GetTypes().Single(t => t.Name.EndsWith("Batch", StringComparison.Ordinal));
        var collate = batchType.GetMethod("Collate")!;
        var augment = new SpecAugment(2, 6, 2, 20, 0.2);
        Tensor Features(SpecAugment? a)
        {
            using var batch = (IDisposable)collate.Invoke(null, new object?[] { examples, CPU, a })!;
            return ((Tensor)batchType.GetProperty("Features")!.GetValue(batch)!).clone();
        }

        using var plain = Features(null);
        using var masked = Features(augment);
        using var again = Features(augment);
        Assert.True((plain - masked).abs().max().item<float>() > 0); // masks applied
        Assert.Equal(masked.data<float>().ToArray(), again.data<float>().ToArray()); // same example, same epoch: same masks
    }
}
