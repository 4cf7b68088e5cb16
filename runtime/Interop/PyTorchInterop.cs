using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using System.Text.Json;
using System.Text.Json.Nodes;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using TorchSharp.PyBridge;

namespace CtcDsl.Runtime.Interop;

/// <summary>
/// Weights in PyTorch's own format, through TorchSharp.PyBridge: a pickled <c>state_dict</c> that
/// <c>torch.load</c> reads, and that PyTorch's <c>torch.save(model.state_dict(), path)</c> writes.
/// Names are TorchSharp's module paths, which follow PyTorch's: <c>layer.weight</c>, <c>layer.bias</c>,
/// <c>rnn.weight_ih_l0</c>, <c>rnn.weight_hh_l0</c>, <c>rnn.bias_ih_l0</c>, <c>rnn.bias_hh_l0</c>
/// (gates i, f, g, o for an LSTM; r, z, n for a GRU), and for a bidirectional stack
/// <c>rnn.forwardLayers.N.*</c> / <c>rnn.backwardLayers.N.*</c>, each a one-layer unidirectional RNN.
/// </summary>
/// <remarks>
/// A state dict holds tensors only, so a generated model also writes its identity beside it
/// (<c>PATH.ctcdsl.json</c>: model name and vocabulary). Loading checks names and shapes against the
/// module (listing what differs), refuses NaN or infinite weights, and, when the identity file is
/// there, the model name and vocabulary; a state dict from PyTorch alone is checked by names and shapes.
/// </remarks>
public static class PyTorchInterop
{
    /// <summary>Writes <paramref name="module"/>'s state dict to <paramref name="path"/> (written beside, then renamed), with the model's identity beside it when given.</summary>
    /// <exception cref="CheckpointException">The file could not be written (a full disk, no permission); no temporary is left and an earlier file at <paramref name="path"/> is kept.</exception>
    public static void Save(torch.nn.Module module, string path, Vocabulary? vocabulary = null)
    {
        var temporary = path + ".tmp";
        try
        {
            module.save_py(temporary);
            File.Move(temporary, path, overwrite: true);
        }
        catch (System.Exception e) when (e is IOException or System.UnauthorizedAccessException)
        {
            try { File.Delete(temporary); } catch (System.Exception cleanup) when (cleanup is IOException or System.UnauthorizedAccessException) { }
            throw new CheckpointException($"{path}: the state dict could not be written ({e.Message}); nothing was left behind.", e);
        }
        if (vocabulary is not null)
        {
            var identity = new JsonObject
            {
                ["model"] = module.GetName(),
                ["tokens"] = new JsonArray(vocabulary.Tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
                ["blank"] = vocabulary.BlankIndex,
            };
            File.WriteAllText(IdentityPath(path), identity.ToJsonString());
        }
    }

    /// <summary>Loads a PyTorch state dict into <paramref name="module"/>; every parameter must be present with its shape and finite.</summary>
    /// <exception cref="CheckpointException">The file is unreadable, is not a state dict of this module, holds non-finite weights, or (with an identity file) belongs to another model or vocabulary; the message says what differs.</exception>
    public static void Load(torch.nn.Module module, string path, Vocabulary? vocabulary = null)
    {
        if (!File.Exists(path)) throw new CheckpointException($"{path}: no such state dict file.");
        if (vocabulary is not null && File.Exists(IdentityPath(path))) CheckIdentity(module.GetName(), vocabulary, path);

        VerifyArchive(path);
        System.Collections.Hashtable stored;
        try
        {
            stored = PyTorchUnpickler.UnpickleStateDict(path);
        }
        catch (System.Exception e) when (e is not System.OutOfMemoryException)
        {
            throw new CheckpointException($"{path}: not a readable PyTorch state dict ({e.Message}).", e);
        }
        var expected = module.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var problems = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in stored)
        {
            if (entry.Key is not string name || entry.Value is not torch.Tensor value) { problems.Add("an entry that is not a named tensor"); continue; }
            if (!expected.TryGetValue(name, out var shape)) problems.Add($"unexpected '{name}'");
            else if (!shape.SequenceEqual(value.shape)) problems.Add($"'{name}' is [{string.Join(", ", value.shape)}], the model's is [{string.Join(", ", shape)}]");
            else if (value.is_floating_point() && !value.isfinite().all().item<bool>()) problems.Add($"'{name}' holds NaN or infinite values");
        }
        foreach (var name in expected.Keys.Where(n => !stored.ContainsKey(n))) problems.Add($"missing '{name}'");
        foreach (System.Collections.DictionaryEntry entry in stored) (entry.Value as torch.Tensor)?.Dispose();
        if (problems.Count > 0)
            throw new CheckpointException($"{path}: not a state dict of {module.GetName()}: {string.Join("; ", problems.Take(8))}{(problems.Count > 8 ? $"; and {problems.Count - 8} more" : "")}.");
        try
        {
            module.load_py(path, strict: true);
        }
        catch (System.Exception e) when (e is not System.OutOfMemoryException)
        {
            throw new CheckpointException($"{path}: not a PyTorch state dict for {module.GetName()} ({e.Message}).", e);
        }
    }

    private static string IdentityPath(string path) => path + ".ctcdsl.json";

    private static void CheckIdentity(string modelName, Vocabulary vocabulary, string path)
    {
        string? model;
        string[] tokens;
        int blank;
        try
        {
            var identity = JsonNode.Parse(File.ReadAllText(IdentityPath(path))) as JsonObject ?? throw new JsonException("not an object");
            model = identity["model"]?.GetValue<string>();
            tokens = identity["tokens"]?.AsArray().Select(t => t?.GetValue<string>() ?? "").ToArray() ?? System.Array.Empty<string>();
            blank = identity["blank"]?.GetValue<int>() ?? -1;
        }
        catch (System.Exception e) when (e is JsonException or IOException or System.InvalidOperationException or System.FormatException)
        {
            throw new CheckpointException($"{IdentityPath(path)}: unreadable identity file ({e.Message}); delete it to load the state dict by names and shapes alone.", e);
        }
        Checkpoint.EnsureSameModel(path, "state dict", model, tokens, blank, modelName, vocabulary);
    }

    /// <summary>The names and shapes of a state dict file, without loading it into a module.</summary>
    public static IReadOnlyDictionary<string, long[]> Describe(string path) =>
        PyTorchUnpickler.UnpickleStateDict(path).Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => ((torch.Tensor)e.Value!).shape);

    /// <summary>
    /// Checks every entry of the state dict's zip archive against the CRC-32 the archive records for
    /// it, as <c>.ckpt</c> checkpoints are checked: the unpickler reads tensor bytes without looking,
    /// so a flipped byte in a weight would otherwise load as a changed weight.
    /// </summary>
    private static void VerifyArchive(string path)
    {
        try
        {
            using var archive = System.IO.Compression.ZipFile.OpenRead(path);
            var buffer = new byte[81920];
            foreach (var entry in archive.Entries)
            {
                var crc = new System.IO.Hashing.Crc32();
                using (var stream = entry.Open())
                    for (int read; (read = stream.Read(buffer, 0, buffer.Length)) > 0;) crc.Append(new System.ReadOnlySpan<byte>(buffer, 0, read));
                var actual = crc.GetCurrentHashAsUInt32();
                if (actual != entry.Crc32)
                    throw new CheckpointException($"{path}: entry '{entry.FullName}' is damaged (its CRC-32 is {actual:x8}, the archive records {entry.Crc32:x8}); the file was changed after it was written.");
            }
        }
        catch (System.Exception e) when (e is InvalidDataException or IOException or System.UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: not a readable PyTorch state dict ({e.Message}).", e);
        }
    }
}
