using CtcDsl.Runtime.Nn;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace CtcDsl.Tests.Runtime;

/// <summary>Issue 21: the intra-op threads a training step is given follow the work in its recurrent steps.</summary>
public sealed class ThreadPlanTests
{
    [Fact]
    public void Small_recurrent_models_get_one_thread_at_any_CPU_count()
    {
        // The seed (LSTM(50), batches of 2) and the template (BiGRU(128) after a conv, batches of 32).
        using var seed = Layers(("rnn", nn.LSTM(13, 50, batchFirst: true)), ("logits", nn.Linear(50, 29)));
        using var template = Layers(("conv", nn.Conv1d(26, 128, 5)), ("rnn", nn.GRU(128, 128, numLayers: 2, batchFirst: true, bidirectional: true)));
        foreach (var cpus in new[] { 1, 2, 16, 64 })
        {
            Assert.Equal(1, ThreadPlan.ForTraining(seed, batchSize: 2, cpus));
            Assert.Equal(1, ThreadPlan.ForTraining(template, batchSize: 32, cpus));
        }
    }

    [Fact]
    public void Larger_recurrent_steps_get_a_thread_per_share_of_work_up_to_the_CPUs()
    {
        // Workload 2: LSTM(256), batches of 32 = 8.4 M multiply-adds per step = 8 shares.
        using var workload2 = Layers(("rnn", nn.LSTM(13, 256, numLayers: 3, batchFirst: true, bidirectional: true)));
        Assert.Equal(2, ThreadPlan.ForTraining(workload2, batchSize: 32, cpus: 2));
        Assert.Equal(8, ThreadPlan.ForTraining(workload2, batchSize: 32, cpus: 16));
        Assert.Equal(1, ThreadPlan.ForTraining(workload2, batchSize: 3, cpus: 16)); // 0.8 M: one share
        // A GRU step of the same size holds fewer shares (more element-wise work per product).
        using var gru = Layers(("rnn", nn.GRU(13, 256, batchFirst: true)));
        Assert.Equal(2, ThreadPlan.ForTraining(gru, batchSize: 32, cpus: 16)); // 6.3 M / 2.4 M
        // The largest step decides: a wide layer after a narrow one.
        using var mixed = Layers(("small", nn.GRU(13, 32, batchFirst: true)), ("large", nn.LSTM(32, 512, batchFirst: true)));
        Assert.Equal(16, ThreadPlan.ForTraining(mixed, batchSize: 32, cpus: 16));
    }

    [Fact]
    public void Models_without_recurrence_get_every_CPU()
    {
        using var convolutional = Layers(("conv", nn.Conv1d(26, 128, 5)), ("logits", nn.Linear(128, 29)));
        Assert.Equal(2, ThreadPlan.ForTraining(convolutional, batchSize: 1, cpus: 2));
        Assert.Equal(16, ThreadPlan.ForTraining(convolutional, batchSize: 32, cpus: 16));
        Assert.Equal("no recurrent layers", ThreadPlan.Explain(convolutional, 32));
    }

    /// <summary>A module holding <paramref name="layers"/> by name, as a generated model does.</summary>
    private static nn.Module Layers(params (string Name, nn.Module Layer)[] layers) => new Holder(layers);

    private sealed class Holder : nn.Module
    {
        public Holder((string Name, nn.Module Layer)[] layers) : base("holder")
        {
            foreach (var (name, layer) in layers) register_module(name, layer);
        }
    }

    [Fact]
    public void Nonsense_is_refused()
    {
        using var model = nn.Linear(2, 2);
        Assert.Throws<System.ArgumentOutOfRangeException>(() => ThreadPlan.ForTraining(model, batchSize: 0, cpus: 2));
        Assert.Throws<System.ArgumentOutOfRangeException>(() => ThreadPlan.ForTraining(model, batchSize: 2, cpus: 0));
    }
}
