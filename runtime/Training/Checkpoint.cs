using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CtcDsl.Runtime.Text;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Training;

/// <summary>A checkpoint file is unreadable, damaged, or belongs to another model.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>
/// Everything needed to continue training exactly where it stopped: weights, optimiser state, epoch
/// and step counters, the random generator's state, the history so far, early-stopping state and
/// named extras (such as a front-end's normalisation statistics), plus the model's identity (type
/// name and vocabulary) so a checkpoint cannot be loaded into another model.
/// </summary>
/// <remarks>
/// File layout: the 8 bytes <c>CTCDSLCK</c>, a format version (uint16), the payload length (int64), the
/// payload (named sections: <c>meta</c> JSON, <c>model</c> and <c>optimizer</c> in TorchSharp's
/// format, <c>rng</c>), and the SHA-256 of the payload. Writes go to a temporary file that is flushed
/// to disk and then renamed over the target, so a crash leaves the previous checkpoint intact.
/// </remarks>
public sealed class Checkpoint
{
    private static readonly byte[] Magic = Encoding.ASCII.GetBytes("CTCDSLCK");
    private const ushort FormatVersion = 1;

    private Checkpoint(JsonObject meta, byte[] model, byte[] optimizer, byte[] rng)
    {
        Meta = meta;
        ModelState = model;
        OptimizerState = optimizer;
        RngState = rng;
    }

    private JsonObject Meta { get; }
    private byte[] ModelState { get; }
    private byte[] OptimizerState { get; }
    private byte[] RngState { get; }

    /// <summary>Generated model type the checkpoint was written from.</summary>
    public string ModelName => Meta["model"]!.GetValue<string>();

    /// <summary>Last completed epoch (1-based).</summary>
    public int Epoch => Meta["epoch"]!.GetValue<int>();

    /// <summary>Optimisation steps taken.</summary>
    public long Step => Meta["step"]!.GetValue<long>();

    /// <summary>Best monitored value so far (best checkpoint), if any.</summary>
    public double? BestValue => Meta["best"]?.GetValue<double>();

    /// <summary>Early stopping: best value and epochs without improvement.</summary>
    internal (double? Best, int Wait) EarlyStoppingState => (Meta["early_best"]?.GetValue<double>(), Meta["early_wait"]?.GetValue<int>() ?? 0);

    /// <summary>The history up to <see cref="Epoch"/>.</summary>
    public TrainingHistory History => TrainingHistory.FromJsonNode(Meta["history"]!.AsObject());

    /// <summary>Named float arrays saved with the model (front-end statistics and the like).</summary>
    public IReadOnlyDictionary<string, float[]> Extras =>
        Meta["extras"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.AsArray().Select(v => v!.GetValue<float>()).ToArray());

    /// <summary>Writes a checkpoint of <paramref name="module"/> and <paramref name="optimizer"/> atomically.</summary>
    /// <param name="beforeReplace">Test hook: runs after the temporary file is complete and before it replaces <paramref name="path"/>.</param>
    public static void Save(string path, string modelName, Vocabulary vocabulary, nn.Module module, optim.Optimizer optimizer,
        int epoch, long step, TrainingHistory history, double? best = null, (double? Best, int Wait) earlyStopping = default,
        IReadOnlyDictionary<string, float[]>? extras = null, Action? beforeReplace = null)
    {
        if (WeightCheck.FirstNonFinite(module) is { } broken)
            throw new CheckpointException($"{path}: not written: parameter '{broken}' holds NaN or infinite values; the previous checkpoint is kept.");
        var meta = new JsonObject
        {
            ["model"] = modelName,
            ["tokens"] = new JsonArray(vocabulary.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["blank"] = vocabulary.BlankIndex,
            ["epoch"] = epoch,
            ["step"] = step,
            ["best"] = best,
            ["early_best"] = earlyStopping.Best,
            ["early_wait"] = earlyStopping.Wait,
            ["history"] = history.ToJsonNode(),
            ["extras"] = new JsonObject((extras ?? new Dictionary<string, float[]>()).Select(e =>
                KeyValuePair.Create(e.Key, (JsonNode?)new JsonArray(e.Value.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray())))),
        };

        if (vocabulary.Subwords is { } subwords) // only then: a character vocabulary's meta stays as it was
            meta["subwords"] = new JsonObject { ["kind"] = subwords.Kind, ["sha256"] = subwords.Fingerprint };

        var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            Section(writer, "meta", Encoding.UTF8.GetBytes(meta.ToJsonString()));
            Section(writer, "model", Capture(w => module.save(w)));
            Section(writer, "optimizer", Capture(w => Helper(optimizer).save_state_dict(w)));
            using var rng = random.get_rng_state();
            Section(writer, "rng", rng.data<byte>().ToArray());
        }
        var bytes = payload.ToArray();

        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            // Temporaries of a writer that was killed before its rename are removed once they are old.
            StaleTemporaries.Clean(directory, $".{Path.GetFileName(path)}.*.tmp");
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new BinaryWriter(file))
            {
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write((long)bytes.Length);
                writer.Write(bytes);
                writer.Write(SHA256.HashData(bytes));
                writer.Flush();
                file.Flush(flushToDisk: true);
            }
            // The subword model goes beside the checkpoint, so the pieces its logits mean can be read back with it.
            vocabulary.Subwords?.Save(SubwordsPath(path));
            beforeReplace?.Invoke();
            File.Move(temporary, path, overwrite: true); // rename: atomic on one file system
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot write the checkpoint ({e.Message}); the previous one, if any, is intact.", e);
        }
        finally
        {
            try
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
            catch (IOException)
            {
                // Left for StaleTemporaries to remove later.
            }
        }
    }

    /// <summary>Reads and verifies a checkpoint.</summary>
    /// <exception cref="CheckpointException">The file is not a checkpoint, is truncated or corrupted.</exception>
    public static Checkpoint Load(string path)
    {
        byte[] file;
        try
        {
            file = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot read the checkpoint ({e.Message}).", e);
        }
        var header = Magic.Length + sizeof(ushort) + sizeof(long);
        if (file.Length < header || !file.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new CheckpointException($"{path}: not a CtcDsl checkpoint (no CTCDSLCK header).");
        var version = BitConverter.ToUInt16(file, Magic.Length);
        if (version != FormatVersion)
            throw new CheckpointException($"{path}: checkpoint format {version}; this runtime reads format {FormatVersion}.");
        var length = BitConverter.ToInt64(file, Magic.Length + sizeof(ushort));
        if (length < 0 || length > file.Length - header - 32) // compared without adding: a crafted length cannot overflow
            throw new CheckpointException(length < 0 || length > int.MaxValue
                ? $"{path}: damaged checkpoint: its payload length field reads {length}."
                : $"{path}: truncated checkpoint: {file.Length} bytes, {header + length + 32} expected (was it cut off while being written?).");
        var payload = file.AsSpan(header, (int)length).ToArray();
        if (!SHA256.HashData(payload).AsSpan().SequenceEqual(file.AsSpan(header + (int)length, 32)))
            throw new CheckpointException($"{path}: corrupted checkpoint: its checksum does not match its contents.");

        // The checksum only proves the file is as written; a crafted file with a valid checksum still gets a located error.
        var sections = new Dictionary<string, byte[]>();
        try
        {
            using (var reader = new BinaryReader(new MemoryStream(payload)))
                while (reader.BaseStream.Position < reader.BaseStream.Length)
                {
                    var name = reader.ReadString();
                    var size = reader.ReadInt32();
                    if (size < 0 || size > reader.BaseStream.Length - reader.BaseStream.Position)
                        throw new CheckpointException($"{path}: damaged checkpoint: section '{name}' claims {size} bytes.");
                    sections[name] = reader.ReadBytes(size);
                }
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException and not CheckpointException)
        {
            throw new CheckpointException($"{path}: damaged checkpoint: its sections cannot be read ({e.Message}).", e);
        }
        foreach (var required in new[] { "meta", "model", "optimizer", "rng" })
            if (!sections.ContainsKey(required)) throw new CheckpointException($"{path}: the checkpoint has no '{required}' section.");
        JsonObject meta;
        try
        {
            meta = JsonNode.Parse(sections["meta"]) as JsonObject ?? throw new CheckpointException($"{path}: damaged checkpoint: its meta section is not an object.");
            var checkpoint = new Checkpoint(meta, sections["model"], sections["optimizer"], sections["rng"]);
            // Read every field once, so a damaged value fails here, named, and not later in a property getter.
            _ = (checkpoint.ModelName, checkpoint.Epoch, checkpoint.Step, checkpoint.BestValue, checkpoint.EarlyStoppingState, checkpoint.History.Epochs.Count, checkpoint.Extras.Count,
                meta["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray(), meta["blank"]!.GetValue<int>());
            return checkpoint;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException or FormatException or KeyNotFoundException or ArgumentException or OverflowException)
        {
            throw new CheckpointException($"{path}: damaged checkpoint: its meta section is unreadable ({e.Message}).", e);
        }
    }

    /// <summary>Throws unless the checkpoint was written by a model of this name and vocabulary.</summary>
    /// <exception cref="CheckpointException">Another model or another vocabulary.</exception>
    public void EnsureMatches(string modelName, Vocabulary vocabulary, string path)
    {
        var stored = Meta["subwords"] is JsonObject subwords ? $"{subwords["kind"]!.GetValue<string>()} {subwords["sha256"]!.GetValue<string>()}" : null;
        var own = vocabulary.Subwords is { } model ? $"{model.Kind} {model.Fingerprint}" : null;
        if (stored != own)
            throw new CheckpointException($"{path}: the checkpoint's subword model ({stored ?? "none: a character vocabulary"}, beside it as {SubwordsPath(path)}) differs from the model's ({own ?? "none: a character vocabulary"}).");
        EnsureSameModel(path, "checkpoint", ModelName, Meta["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToArray(), Meta["blank"]!.GetValue<int>(), modelName, vocabulary);
    }

    /// <summary>Where <see cref="Save"/> writes a subword vocabulary's model beside the checkpoint at <paramref name="path"/>.</summary>
    public static string SubwordsPath(string path) => path + ".subwords";

    /// <summary>Reads the subword model saved beside the checkpoint at <paramref name="path"/>, checked against the fingerprint the checkpoint holds.</summary>
    /// <exception cref="CheckpointException">The checkpoint has no subword model, the file is missing or unreadable, or it is not the one the checkpoint was written with.</exception>
    public SubwordModel ReadSubwords(string path)
    {
        if (Meta["subwords"] is not JsonObject subwords)
            throw new CheckpointException($"{path}: the checkpoint is of a character vocabulary; it has no subword model.");
        var expected = subwords["sha256"]!.GetValue<string>();
        SubwordModel model;
        try
        {
            model = SubwordModel.Load(SubwordsPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CheckpointException($"{path}: cannot read its subword model {SubwordsPath(path)} ({e.Message}).", e);
        }
        if (model.Fingerprint != expected)
            throw new CheckpointException($"{path}: the subword model beside it ({SubwordsPath(path)}, sha256 {model.Fingerprint}) is not the one it was written with (sha256 {expected}).");
        return model;
    }

    /// <summary>Throws unless stored weights (a checkpoint, a state dict's identity file) are of <paramref name="modelName"/> with <paramref name="vocabulary"/>.</summary>
    internal static void EnsureSameModel(string path, string what, string? storedModel, IReadOnlyList<string> tokens, int blank, string modelName, Vocabulary vocabulary)
    {
        if (storedModel != modelName)
            throw new CheckpointException($"{path}: the {what} is of {storedModel}, not {modelName} (another spec).");
        if (!tokens.SequenceEqual(vocabulary.Tokens) || blank != vocabulary.BlankIndex)
            throw new CheckpointException($"{path}: the {what}'s vocabulary (\"{string.Concat(tokens)}\", blank {blank}) differs from the model's (\"{string.Concat(vocabulary.Tokens)}\", blank {vocabulary.BlankIndex}).");
    }

    /// <summary>
    /// Loads the weights into <paramref name="module"/>: a generated model (an <see cref="ICtcModel"/>) is first
    /// checked for its name and vocabulary; every parameter must match in name and shape; weights that
    /// are not all finite are refused and the module keeps its own.
    /// </summary>
    /// <exception cref="CheckpointException">Another model or vocabulary, other parameters, or non-finite weights; the message says which.</exception>
    public void RestoreWeights(nn.Module module, string path)
    {
        if (module is ICtcModel model) EnsureMatches(model.ModelName, model.Vocabulary, path);
        // Compared before anything is loaded: an edited spec gets the list of layers that changed.
        if (StateInventory.Read(ModelState) is { } stored && StateInventory.Differences(stored, module) is { Count: > 0 } changed)
            throw new CheckpointException($"{path}: the checkpoint's weights do not fit {module.GetName()}: the layers differ (was the spec edited after it was written?). " +
                $"Checkpoint → model:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", changed)}");
        using var previous = new WeightCheck.Snapshot(module.parameters().ToArray());
        try
        {
            using var reader = new BinaryReader(new MemoryStream(ModelState));
            LoadInPlace(module, reader);
        }
        catch (Exception e) when (e is not CheckpointException and not OutOfMemoryException)
        {
            previous.Restore();
            throw new CheckpointException($"{path}: the checkpoint's weights do not fit {module.GetName()} ({e.Message}).", e);
        }
        if (WeightCheck.FirstNonFinite(module) is { } broken)
        {
            previous.Restore();
            throw new CheckpointException($"{path}: parameter '{broken}' holds NaN or infinite values (written by a run that diverged); the model keeps its weights.");
        }
    }

    /// <summary>Restores weights, optimiser state and the random generator, for an exact continuation.</summary>
    public void RestoreTraining(nn.Module module, optim.Optimizer optimizer, string path)
    {
        RestoreWeights(module, path);
        try
        {
            using var reader = new BinaryReader(new MemoryStream(OptimizerState));
            Helper(optimizer).load_state_dict(reader);
        }
        catch (Exception e) when (e is not CheckpointException and not OutOfMemoryException and not ArgumentException)
        {
            throw new CheckpointException($"{path}: the checkpoint's optimiser state does not fit this optimiser ({e.Message}).", e);
        }
        using var state = tensor(RngState, dtype: ScalarType.Byte);
        random.set_rng_state(state);
    }

    /// <summary>
    /// Reads a state dictionary written by TorchSharp's <c>Module.save</c> into the module's own
    /// tensors. TorchSharp's <c>Module.load</c> moves a module that is not on the CPU to the CPU and
    /// back, which replaces every parameter tensor: an optimiser made before (the trainer's, the
    /// user's) would then hold tensors that are no longer the model's, and a resumed run on CUDA
    /// failed at its first step. Here each value is copied into the existing tensor in place,
    /// wherever it lives (found on an H100 by the GPU checks, docs/gpu.md).
    /// </summary>
    private static void LoadInPlace(nn.Module module, BinaryReader reader)
    {
        var destination = module.state_dict();
        var count = reader.Read7BitEncodedInt64(); // TorchSharp writes the count as unsigned LEB128
        if (count != destination.Count)
            throw new ArgumentException($"Mismatched state_dict sizes: expected {destination.Count}, but found {count} entries.");
        var seen = new HashSet<string>();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (!destination.TryGetValue(key, out var target) || !seen.Add(key))
                throw new ArgumentException($"Mismatched module state names: the target module has no parameter or buffer named '{key}' (or it is stored twice).");
            target.Load(reader); // checks type and shape; copies through the host for a device tensor
        }
    }

    private static OptimizerHelper Helper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper ?? throw new ArgumentException($"Checkpoints need a TorchSharp optimiser with a state dictionary; {optimizer.GetType().Name} has none.", nameof(optimizer));

    private static byte[] Capture(Action<BinaryWriter> write)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true)) write(writer);
        return stream.ToArray();
    }

    private static void Section(BinaryWriter writer, string name, byte[] bytes)
    {
        writer.Write(name);
        writer.Write(bytes.Length);
        writer.Write(bytes);
    }
}
