using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
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
public static class PyTorchInterop
{
    /// <summary>Writes <paramref name="module"/>'s state dict to <paramref name="path"/> (written beside, then renamed).</summary>
    public static void Save(torch.nn.Module module, string path)
    {
        var temporary = path + ".tmp";
        module.save_py(temporary);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Loads a PyTorch state dict into <paramref name="module"/>; every parameter must be present with its shape.</summary>
    /// <exception cref="InvalidDataException">The file is not a state dict for this module; the message names the file.</exception>
    public static void Load(torch.nn.Module module, string path)
    {
        try
        {
            module.load_py(path, strict: true);
        }
        catch (System.Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException($"{path}: not a PyTorch state dict for {module.GetName()} ({e.Message}).", e);
        }
    }

    /// <summary>The names and shapes of a state dict file, without loading it into a module.</summary>
    public static IReadOnlyDictionary<string, long[]> Describe(string path) =>
        PyTorchUnpickler.UnpickleStateDict(path).Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => ((torch.Tensor)e.Value!).shape);
}
