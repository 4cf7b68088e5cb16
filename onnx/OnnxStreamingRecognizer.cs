using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Export;
using CtcDsl.Runtime.Text;
using Microsoft.ML.OnnxRuntime;

namespace CtcDsl.Onnx;

/// <summary>
/// Streaming recognition with the streaming form of a CtcDsl model (a <c>streaming: true</c> spec's
/// <c>ExportOnnxStreaming</c>), on ONNX Runtime. One recognizer holds the session; each
/// <see cref="CreateStream"/> is an utterance with its own front-end and encoder state, fed audio in
/// pieces of any size and read at any time (<see cref="OnnxStream.Partial"/>) or at the end
/// (<see cref="OnnxStream.Finish"/>). Fed a whole recording piece by piece, a stream gives the
/// offline greedy transcript and word times.
/// </summary>
public sealed class OnnxStreamingRecognizer : IDisposable
{
    private readonly InferenceSession session;
    private readonly (string Name, long[] Shape)[] states;

    private OnnxStreamingRecognizer(InferenceSession session, OnnxModelInfo info, (string, long[])[] states)
    {
        this.session = session;
        this.states = states;
        Info = info;
        FrontEnd = info.FrontEnd ?? throw new FormatException($"{info.ModelName} declares no audio front-end: a stream takes audio.");
        _ = new StreamingFrontEnd(FrontEnd, info.Statistics); // refuses a front-end that cannot stream, here rather than per stream
    }

    /// <summary>Opens the streaming form of an exported model.</summary>
    /// <exception cref="OnnxRuntimeException">ONNX Runtime cannot read the file.</exception>
    /// <exception cref="FormatException">The file is not a CtcDsl model's streaming form (e.g. <c>ExportOnnx</c>'s, which needs the whole utterance).</exception>
    public static OnnxStreamingRecognizer Load(string path, OnnxRecognizerOptions? options = null)
    {
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options?.Threads ?? 1, // a stream's chunks are small: one thread wastes least
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        var session = new InferenceSession(path, sessionOptions);
        try
        {
            var metadata = session.ModelMetadata.CustomMetadataMap;
            var info = OnnxModelInfo.FromMetadata(metadata);
            if (!metadata.ContainsKey(OnnxModelInfo.StreamingKey))
                throw new FormatException($"{path} is not the streaming form of a model: export it with ExportOnnxStreaming (a spec with streaming: true).");
            var states = metadata.Where(e => e.Key.StartsWith(OnnxModelInfo.StateKeyPrefix, StringComparison.Ordinal))
                .Select(e => (e.Key.Substring(OnnxModelInfo.StateKeyPrefix.Length), e.Value.Split(',').Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray()))
                .OrderBy(s => s.Item1, StringComparer.Ordinal).ToArray();
            return new OnnxStreamingRecognizer(session, info, states);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>What the file records: vocabulary, front-end, statistics, subsampling.</summary>
    public OnnxModelInfo Info { get; }

    /// <summary>The spec's front-end (streams take audio at its <see cref="FrontEndSettings.SampleRate"/>).</summary>
    public FrontEndSettings FrontEnd { get; }

    /// <summary>The output alphabet.</summary>
    public Vocabulary Vocabulary => Info.Vocabulary;

    /// <summary>Seconds of audio per logit frame (the front-end's hop times the subsampling).</summary>
    public double SecondsPerFrame => new FrontEnd(FrontEnd).HopSeconds * Info.Subsampling;

    /// <summary>Starts an utterance: its own front-end, encoder state and decoder; streams share nothing but the session.</summary>
    public OnnxStream CreateStream() => new(this);

    /// <inheritdoc/>
    public void Dispose() => session.Dispose();

    /// <summary>Initial (zero) states, by input name.</summary>
    internal Dictionary<string, (float[] Values, long[] Shape)> InitialStates() =>
        states.ToDictionary(s => s.Name, s => (new float[s.Shape.Aggregate(1L, (a, b) => a * b)], (long[])s.Shape.Clone()), StringComparer.Ordinal);

    /// <summary>Runs one chunk of feature frames through the model, replacing <paramref name="state"/> with the next; returns the chunk's logits.</summary>
    internal float[,] Run(float[,] features, bool final, Dictionary<string, (float[] Values, long[] Shape)> state)
    {
        var (frames, width) = (features.GetLength(0), features.GetLength(1));
        var flat = new float[features.Length];
        Buffer.BlockCopy(features, 0, flat, 0, flat.Length * sizeof(float));
        var owned = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(flat, new long[] { 1, frames, width }),
            OrtValue.CreateTensorValueFromMemory(new long[] { frames }, new long[] { 1 }),
            OrtValue.CreateTensorValueFromMemory(new long[] { final ? 1 : 0 }, new long[] { 1 }),
        };
        try
        {
            var inputs = new Dictionary<string, OrtValue>
            {
                [OnnxModelInfo.FeaturesInput] = owned[0],
                [OnnxModelInfo.FeatureLengthsInput] = owned[1],
                [OnnxModelInfo.FinalInput] = owned[2],
            };
            foreach (var (name, (values, shape)) in state)
            {
                var value = OrtValue.CreateTensorValueFromMemory(values, shape);
                owned.Add(value);
                inputs[name] = value;
            }
            var outputNames = new[] { OnnxModelInfo.LogitsOutput }.Concat(states.Select(s => s.Name + "_out")).ToArray();
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, inputs, outputNames);
            for (var i = 0; i < states.Length; i++)
                state[states[i].Name] = (outputs[i + 1].GetTensorDataAsSpan<float>().ToArray(), outputs[i + 1].GetTensorTypeAndShape().Shape);
            var logitShape = outputs[0].GetTensorTypeAndShape().Shape; // [1, frames, classes]
            var logits = new float[logitShape[1], logitShape[2]];
            if (logits.Length > 0) outputs[0].GetTensorDataAsSpan<float>().CopyTo(System.Runtime.InteropServices.MemoryMarshal.CreateSpan(ref logits[0, 0], logits.Length));
            return logits;
        }
        finally
        {
            foreach (var value in owned) value.Dispose();
        }
    }
}
