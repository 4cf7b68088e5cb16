using System;
using System.IO;
using System.Linq;
using CtcDsl.Generator;
using CtcDsl.Tool.Spec;
using Microsoft.CodeAnalysis;

namespace CtcDsl.Tool.Commands;

/// <summary>
/// <c>ctcdsl export-pytorch SPEC DIR</c>: the spec as a PyTorch package (model.py, ctcdsl_nn.py, train.py,
/// spec.json), printed by the generator from the same plan as the C# model (docs/training-at-scale.md).
/// </summary>
public static class ExportPyTorchCommand
{
    /// <summary>Writes the package into <paramref name="directory"/>; exit code 1 (nothing written) when the spec has errors or options the package lacks (CTC0029).</summary>
    public static int Run(string specPath, string directory)
    {
        var fullPath = Path.GetFullPath(specPath);
        if (!File.Exists(fullPath)) throw new SpecException($"{specPath}: no such spec file.");
        string yaml;
        try { yaml = File.ReadAllText(fullPath); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new SpecException($"{specPath}: cannot read the spec ({e.Message})."); }

        var package = PyTorchExport.Export(fullPath, yaml);
        var errors = package.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
        foreach (var warning in package.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning))
            Console.Error.WriteLine(warning.ToString());
        if (errors.Length > 0 || !package.Succeeded)
            throw new SpecException($"{specPath}: cannot export to PyTorch: {errors.Length} error(s)", errors.Select(d => d.ToString()).ToArray());

        Directory.CreateDirectory(directory);
        foreach (var file in package.Files)
            File.WriteAllText(Path.Combine(directory, file.Key), file.Value);
        Console.WriteLine($"{Path.GetFullPath(directory)}: {string.Join(", ", package.Files.Select(f => f.Key))}.");
        Console.WriteLine($"Next: ctcdsl export-features {specPath} train.csv train.npz, then torchrun --nproc_per_node N {Path.Combine(directory, "train.py")} train.npz (docs/training-at-scale.md).");
        return 0;
    }
}
