using System;
using System.Reflection;
using CtcDsl.Runtime.Training;
using CtcDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.EndToEnd;

/// <summary>A non-finite loss is traced before anyone is blamed: the data's faults are named, the network's are said to be the network's.</summary>
public class NonFiniteLossTests
{
    [Fact]
    public void Non_finite_features_are_named_with_their_frame()
    {
        var generated = new GeneratedModel("synthetic.ctc.yaml");
        var examples = generated.Examples(16);
        var broken = (ICtcExample)examples.GetValue(5)!;
        broken.Features[3, 2] = float.NaN;

        manual_seed(0);
        using var model = generated.Create();
        var fault = Fail(generated, model, examples);

        Assert.Equal(NonFiniteLossCause.NonFiniteFeatures, fault.Cause);
        Assert.Contains($"[5] {broken.Name}: frame 3, feature 2 is NaN", fault.Message);
        Assert.Contains(NonFiniteLossException.Help, fault.Message);
    }

    [Fact]
    public void A_NaN_born_in_the_network_is_traced_to_its_layer_and_not_blamed_on_the_data()
    {
        var generated = new GeneratedModel("synthetic.ctc.yaml");
        var examples = generated.Examples(16);
        manual_seed(0);
        using var model = generated.Create();
        // Finite weights whose sums overflow: the logits layer turns finite inputs into infinities.
        using (no_grad())
            foreach (var (name, parameter) in model.named_parameters())
                if (name == "logits.weight") parameter.fill_(3e38f);

        var before = Environment.GetEnvironmentVariable("CTCDSL_DEBUG");
        Environment.SetEnvironmentVariable("CTCDSL_DEBUG", null);
        var plain = Fail(generated, model, examples);
        Environment.SetEnvironmentVariable("CTCDSL_DEBUG", "1");
        NonFiniteLossException traced;
        try { traced = Fail(generated, model, examples); }
        finally { Environment.SetEnvironmentVariable("CTCDSL_DEBUG", before); }

        Assert.Equal(NonFiniteLossCause.NumericalFault, plain.Cause);
        Assert.Contains("not a problem with your data", plain.Message);
        Assert.Matches("Computed again, it gave [^ ]+ again", plain.Message); // not finite either time
        Assert.Contains("Rerun with CTCDSL_DEBUG=1", plain.Message);
        Assert.DoesNotContain("Check those examples", plain.Message);
        Assert.Contains("The first layer whose output is not finite: 'logits' (Linear) gave", traced.Message);
        Assert.Contains("from finite inputs", traced.Message);
    }

    private static NonFiniteLossException Fail(GeneratedModel generated, nn.Module model, Array examples)
    {
        var error = Assert.Throws<TargetInvocationException>(() => generated.Fit(model, examples, null, generated.DefaultFitOptions with { Epochs = 1, BatchSize = 16, Progress = null }));
        return Assert.IsType<NonFiniteLossException>(error.InnerException);
    }
}
