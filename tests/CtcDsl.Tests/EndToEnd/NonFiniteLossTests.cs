using System.Collections.Generic;
using System.Linq;
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
        var error = Assert.Throws<TargetInvocationException>(() => generated.Fit(model, examples, null, generated.DefaultFitOptions with { Epochs = 1, BatchSize = 16, Progress = null }));

        var fault = Assert.IsType<NonFiniteLossException>(error.InnerException);
        Assert.Equal(NonFiniteLossCause.NonFiniteFeatures, fault.Cause);
        Assert.Contains($"[5] {broken.Name}: frame 3, feature 2 is NaN", fault.Message);
        Assert.Contains(NonFiniteLossException.Help, fault.Message);
    }

    [Fact]
    public void A_NaN_born_in_the_network_is_traced_to_its_layer_and_not_blamed_on_the_data()
    {
        // libtorch's junk fill (every CPU allocation NaN) brings issue 20's fault back deterministically.
        var run = MemoryGuardProcess.Run(new Dictionary<string, string> { ["CTCDSL_DEBUG"] = "1" }, "--junk-fill", "SyntheticModel");

        Assert.True(run.ExitCode == 0, $"Expected a traced non-finite loss:\n{run.Output}");
        Assert.Contains("cause: NumericalFault", run.Output);
        Assert.Contains("not a problem with your data", run.Output);
        Assert.Contains("'conv' (Conv1d) gave", run.Output);
        Assert.Contains("from finite inputs", run.Output);
        Assert.DoesNotContain("Check those examples", run.Output);
    }
}
