using System;
using System.Collections.Generic;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.Interop;
using CtcDsl.Runtime.Metrics;
using CtcDsl.Runtime.Text;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>What every generated example exposes, whatever its spec names its inputs.</summary>
public interface ICtcExample
{
    /// <summary>Feature frames, <c>[time, features]</c>.</summary>
    float[,] Features { get; }

    /// <summary>Label class ids.</summary>
    int[] Labels { get; }

    /// <summary>Names the example in messages and reports.</summary>
    string Name { get; }

    /// <summary>Feature frames' count (examples whose features stream from disk know it without reading them).</summary>
    int Frames => Features.GetLength(0);
}

/// <summary>
/// The behaviour every generated model shares — the prediction view's decoding and transcription, the
/// report, evaluation over examples, weights in and out, and the trainer's plumbing — so a generated
/// file holds only what its spec decides: layers, initialisers, the forward graph, the training view
/// and the optimiser.
/// </summary>
/// <typeparam name="TExample">The generated example type.</typeparam>
/// <typeparam name="TBatch">The generated batch type.</typeparam>
public abstract class CtcModel<TExample, TBatch> : nn.Module<Tensor, Tensor, Tensor>, ICtcTrainable<TExample, TBatch>
    where TExample : ICtcExample
    where TBatch : IDisposable
{
    private readonly Vocabulary vocabulary;
    private readonly ExampleShape shape;
    private readonly int featureSize;
    private readonly FitOptions defaults;
    private readonly IReadOnlyList<string> metricNames;

    /// <summary>Creates the shared part of a model; <paramref name="device"/> null: CUDA when available, else CPU.</summary>
    /// <param name="shape">The model's name, feature width, vocabulary and output frames.</param>
    /// <param name="defaults">The spec's training defaults (<see cref="Fit"/> without options; the batch size of reports).</param>
    /// <param name="metricNames">What <see cref="Evaluate(TBatch)"/> reports besides the loss, in display order.</param>
    /// <param name="decoder">The spec's decoder.</param>
    /// <param name="device">Where the weights live.</param>
    protected CtcModel(ExampleShape shape, FitOptions defaults, IReadOnlyList<string> metricNames, ICtcDecoder decoder, Device? device)
        : base(shape.ModelName)
    {
        vocabulary = shape.Vocabulary;
        this.shape = shape;
        featureSize = shape.FeatureSize;
        this.defaults = defaults;
        this.metricNames = metricNames;
        Decoder = decoder;
        Nn.NativeBackend.EnsureLoaded(); // a failure names its cause and fix
        Nn.TorchThreads.Configure(); // once per process: the CPUs this process may use, or CTCDSL_THREADS
        Device = device ?? Nn.Devices.Default;
    }

    /// <summary>
    /// What an exported ONNX model records besides its graph: vocabulary, feature width, subsampling
    /// and the decoder (a model with a front-end adds it and its statistics). Generated <c>ExportOnnx</c>
    /// methods save their graph with it.
    /// </summary>
    protected virtual Export.OnnxModelInfo OnnxInfo() =>
        new(shape.ModelName, vocabulary, featureSize, (int)Math.Round(10_000.0 / Math.Max(1, shape.OutputFrames(10_000))), null, null, Decoder switch
        {
            PrefixBeamSearch beam => new Export.OnnxDecoderInfo("beam", beam.BeamWidth, beam.PruneThreshold, beam.NBest),
            LanguageModelBeamSearch fused => new Export.OnnxDecoderInfo("beam", fused.Options.BeamWidth, 0, fused.Options.NBest),
            // A spec's fused search (its files are read on first use) or a decoder of the application's: the recognizer takes one in code.
            _ => Export.OnnxDecoderInfo.Greedy,
        });

    /// <summary>The device the weights live on; batches are collated there.</summary>
    public Device Device { get; }

    /// <summary>Decodes the prediction view's logits (the spec's decoding; replace it to decode differently).</summary>
    public ICtcDecoder Decoder { get; set; }

    /// <summary>
    /// Decodes with <paramref name="languageModel"/> (and <paramref name="lexicon"/>) fused into a beam
    /// search from now on: the run-time override of the spec's <c>decoding:</c> section.
    /// </summary>
    public void UseLanguageModel(LanguageModels.NgramLanguageModel? languageModel, LanguageModels.Lexicon? lexicon = null, LanguageModelBeamSearchOptions? options = null) =>
        Decoder = new LanguageModelBeamSearch(vocabulary, languageModel, lexicon, options);

    /// <summary>
    /// Chooses α and β for <paramref name="languageModel"/> on <paramref name="validation"/>: the network
    /// runs once per example, then every pair of the grid decodes (defaults: α 0–2, β −1–3); best
    /// first. <see cref="LanguageModelTuning.Table"/> prints the result.
    /// </summary>
    public IReadOnlyList<TuningResult> TuneLanguageModel(IReadOnlyList<TExample> validation, LanguageModels.NgramLanguageModel languageModel, LanguageModels.Lexicon? lexicon = null,
        IEnumerable<double>? alphas = null, IEnumerable<double>? betas = null, LanguageModelBeamSearchOptions? options = null)
    {
        var items = new DecodingItem[validation.Count];
        for (var i = 0; i < items.Length; i++) items[i] = new DecodingItem(LogProbabilities(validation[i].Features), vocabulary.Decode(validation[i].Labels));
        return LanguageModelTuning.Grid(items, vocabulary, languageModel, lexicon,
            alphas ?? new[] { 0.0, 0.25, 0.5, 1.0, 1.5, 2.0 }, betas ?? new[] { -1.0, 0.0, 1.0, 2.0, 3.0 }, options);
    }

    /// <summary>Valid logit frames per example for <paramref name="featureLengths"/> valid input frames.</summary>
    public abstract Tensor OutputLengths(Tensor featureLengths);

    /// <summary>The prediction view's logits (<see cref="nn.Module{T1, T2, TResult}.forward"/>) and their valid lengths for padded features.</summary>
    protected virtual (Tensor Logits, Tensor Lengths) Predict(Tensor features, Tensor featureLengths) =>
        (forward(features, featureLengths), OutputLengths(featureLengths));

    /// <summary>The optimiser the spec declares, over this model's parameters.</summary>
    public abstract optim.Optimizer CreateOptimizer();

    /// <summary>
    /// Trains with the spec's optimiser and, unless <paramref name="options"/> says otherwise, its
    /// training defaults. Prints a Keras-style line per epoch.
    /// </summary>
    /// <returns>Per-epoch loss and the spec's metrics, with val_ counterparts when validation data is given.</returns>
    public TrainingHistory Fit(IReadOnlyList<TExample> training, IReadOnlyList<TExample>? validation = null, FitOptions? options = null)
    {
        options = PrepareFit(options ?? defaults);
        using var optimizer = CreateOptimizer();
        return CtcTrainer.Fit(this, optimizer, training, validation, options);
    }

    /// <summary>Adjusts the options of a <see cref="Fit"/> call before training: checkpoints keep <see cref="CheckpointExtras"/> beside the options' own extras.</summary>
    protected virtual FitOptions PrepareFit(FitOptions options)
    {
        if (options.Checkpoints is not { } checkpoints || CheckpointExtras is not { Count: > 0 } extras) return options;
        var merged = new Dictionary<string, float[]>();
        foreach (var (key, value) in checkpoints.Extras ?? new Dictionary<string, float[]>()) merged[key] = value;
        foreach (var (key, value) in extras) merged[key] = value;
        return options with { Checkpoints = checkpoints with { Extras = merged } };
    }

    /// <summary>The text of each label sequence (for word-level metrics).</summary>
    protected string[] Texts(IReadOnlyList<int[]> sequences)
    {
        var texts = new string[sequences.Count];
        for (var i = 0; i < texts.Length; i++) texts[i] = vocabulary.Decode(sequences[i]);
        return texts;
    }

    /// <summary>Training view: the CTC loss and metrics of one batch.</summary>
    public abstract TrainingOutput Evaluate(TBatch batch);

    /// <summary>Pads examples into a batch on <see cref="Device"/>; <paramref name="training"/> batches get training-only augmentation.</summary>
    protected abstract TBatch CollateForTraining(IReadOnlyList<TExample> examples, bool training);

    /// <summary>Prediction view: the decoder's hypotheses, best first, for a padded batch of features.</summary>
    public IReadOnlyList<Hypothesis>[] Decode(Tensor features, Tensor featureLengths, ICtcDecoder? decoder = null)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var (logits, lengths) = Predict(features.to(Device), featureLengths.to(Device));
            return (decoder ?? Decoder).Decode(logits, lengths);
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>
    /// Prediction view: the best transcript of each example in a padded batch of features. An example
    /// for which the decoder kept no hypothesis (a lexicon-constrained search can end with none) gets
    /// the empty string; <see cref="Metrics.TranscriptionReport.NoHypothesisCount"/> counts them in a report.
    /// </summary>
    public string[] Transcribe(Tensor features, Tensor featureLengths, ICtcDecoder? decoder = null) =>
        Array.ConvertAll(TranscribeOrNull(features, featureLengths, decoder), text => text ?? "");

    /// <summary>The best transcript of each example, null where the decoder returned no hypothesis.</summary>
    private string?[] TranscribeOrNull(Tensor features, Tensor featureLengths, ICtcDecoder? decoder) =>
        Array.ConvertAll(Decode(features, featureLengths, decoder), hypotheses => hypotheses.Count == 0 ? null : vocabulary.Decode(hypotheses[0].Labels));

    /// <summary>Prediction view: the best transcript of each feature matrix <c>[time, features]</c>.</summary>
    public string[] Transcribe(IReadOnlyList<float[,]> features, ICtcDecoder? decoder = null)
    {
        var (values, lengths) = Data.PaddedBatch.Features(features, featureSize, Device);
        using (values)
        using (lengths)
            return Transcribe(values, lengths, decoder);
    }

    /// <summary>The prediction view's log-probabilities for one feature matrix: <c>[frames, classes]</c>, row-major.</summary>
    public float[] LogProbabilities(float[,] features) => PredictOne(features, (logits, lengths) =>
    {
        var valid = (int)lengths[0].item<long>();
        return nn.functional.log_softmax(logits[0, TensorIndex.Slice(0, valid)], -1).cpu().data<float>().ToArray();
    });

    /// <summary>Runs the prediction view on one feature matrix in evaluation mode, without gradients, and reads its logits with <paramref name="read"/>.</summary>
    private T PredictOne<T>(float[,] features, Func<Tensor, Tensor, T> read)
    {
        var wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var (values, lengths) = Data.PaddedBatch.Features(new[] { features }, featureSize, Device);
            var (logits, logitLengths) = Predict(values, lengths);
            return read(logits, logitLengths);
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>
    /// Forced alignment: which logit frames each label of <paramref name="transcript"/> occupies in
    /// <paramref name="features"/> <c>[time, features]</c> (the most probable path that spells it).
    /// </summary>
    /// <exception cref="Text.VocabularyException">The transcript has a character outside the vocabulary.</exception>
    /// <exception cref="ArgumentException">The transcript cannot fit the logit frames.</exception>
    public Alignment Align(float[,] features, string transcript)
    {
        var labels = vocabulary.Encode(transcript, "transcript");
        return PredictOne(features, (logits, lengths) => CtcAlignment.Align(logits, lengths, new[] { labels }, vocabulary.BlankIndex)[0]);
    }

    /// <summary>Decodes <paramref name="examples"/> with <see cref="Decoder"/> (or <paramref name="decoder"/>) and reports LER, CER and WER with the worst utterances.</summary>
    /// <param name="examples">The examples.</param>
    /// <param name="batchSize">Examples per forward pass; 0: the spec's batch size.</param>
    /// <param name="decoder">Another decoder than <see cref="Decoder"/>.</param>
    public TranscriptionReport Report(IReadOnlyList<TExample> examples, int batchSize = 0, ICtcDecoder? decoder = null)
    {
        if (batchSize <= 0) batchSize = defaults.BatchSize;
        var items = new List<(string Name, string Reference, string Hypothesis)>(examples.Count);
        var noHypothesis = new HashSet<int>();
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var slice = new List<float[,]>();
            for (var i = start; i < Math.Min(start + batchSize, examples.Count); i++) slice.Add(examples[i].Features);
            var (values, lengths) = Data.PaddedBatch.Features(slice, featureSize, Device);
            string?[] hypotheses;
            using (values)
            using (lengths)
                hypotheses = TranscribeOrNull(values, lengths, decoder);
            for (var i = 0; i < hypotheses.Length; i++)
            {
                if (hypotheses[i] is null) noHypothesis.Add(start + i);
                items.Add((examples[start + i].Name, vocabulary.Decode(examples[start + i].Labels), hypotheses[i] ?? ""));
            }
        }
        return TranscriptionReport.Create(items, vocabulary.WordSeparator, noHypothesis);
    }

    /// <summary>Loss and metrics over <paramref name="examples"/>, without training; <paramref name="batchSize"/> 0: the spec's.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Evaluate(IReadOnlyList<TExample> examples, int batchSize = 0) =>
        CtcTrainer.Evaluate(this, examples, batchSize > 0 ? batchSize : defaults.BatchSize);

    /// <summary>
    /// Writes the weights as a PyTorch state dict (<c>torch.load</c> reads it), with the model's identity
    /// beside it. Parameter names are the spec's layer names in camelCase followed by PyTorch's.
    /// </summary>
    public void SaveStateDict(string path) => PyTorchInterop.Save(this, path, vocabulary);

    /// <summary>Reads weights written by <see cref="SaveStateDict"/> or by PyTorch's <c>torch.save(model.state_dict())</c>.</summary>
    /// <exception cref="CheckpointException">The file is not a state dict of this model (names, shapes, vocabulary) or holds non-finite weights; the message says what differs.</exception>
    public void LoadStateDict(string path) => PyTorchInterop.Load(this, path, vocabulary);

    /// <summary>Loads the weights of a checkpoint (and whatever <see cref="OnCheckpointLoaded"/> restores besides).</summary>
    /// <exception cref="CheckpointException">The file is damaged or belongs to another model or vocabulary.</exception>
    public void LoadCheckpoint(string path)
    {
        var checkpoint = Checkpoint.Load(path);
        checkpoint.RestoreWeights(this, path);
        OnCheckpointLoaded(checkpoint);
    }

    /// <summary>
    /// Writes the weights as a checkpoint (with what <see cref="CheckpointExtras"/> keeps beside them)
    /// that <see cref="LoadCheckpoint"/> reads, and that <c>Fit</c> can resume from with a fresh
    /// optimiser. During training, <see cref="FitOptions.Checkpoints"/> writes them after every epoch.
    /// </summary>
    /// <exception cref="CheckpointException">The file cannot be written, or a weight is not finite; a previous file is intact.</exception>
    public void SaveCheckpoint(string path)
    {
        using var optimizer = CreateOptimizer();
        Checkpoint.Save(path, GetName(), vocabulary, this, optimizer, epoch: 0, step: 0, new TrainingHistory(), extras: CheckpointExtras);
    }

    /// <summary>What a checkpoint keeps besides the weights (a front-end's statistics); nothing by default.</summary>
    protected virtual IReadOnlyDictionary<string, float[]>? CheckpointExtras => null;

    /// <summary>Restores state saved beside the weights (a front-end's statistics); nothing by default.</summary>
    protected virtual void OnCheckpointLoaded(Checkpoint checkpoint)
    {
    }

    nn.Module ICtcTrainable<TExample, TBatch>.Module => this;

    string ICtcModel.ModelName => GetName();

    Vocabulary ICtcModel.Vocabulary => vocabulary;

    IReadOnlyList<string> ICtcTrainable<TExample, TBatch>.MetricNames => metricNames;

    int ICtcTrainable<TExample, TBatch>.FrameCount(TExample example) => example.Frames;

    TBatch ICtcTrainable<TExample, TBatch>.Collate(IReadOnlyList<TExample> examples, bool training) => CollateForTraining(examples, training);
}
