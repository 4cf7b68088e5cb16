using TorchSharp;
using static TorchSharp.torch;

namespace CtcDsl.Runtime.Nn;

/// <summary>
/// Tensor arithmetic that is safe from a TorchSharp 0.107 lifetime bug. Its <c>Tensor.add(Tensor)</c>
/// (and so <c>a + b</c>), <c>add(Scalar)</c> and <c>add_(Tensor)</c> pass an implicitly created alpha
/// <see cref="Scalar"/> of 1 to native code and keep no reference to it: a garbage collection during
/// the call can finalize it while libtorch reads it ("Unknown scalar type", a wrong alpha, or SIGABRT).
/// The runtime and generated code therefore add through these helpers, whose scalars are rooted for
/// the life of the process, and create any other scalar explicitly with <c>using</c>.
/// </summary>
public static class Tensors
{
    /// <summary>The alpha of a plain addition; static, so it is never finalized.</summary>
    private static readonly Scalar One = 1.ToScalar();

    /// <summary><paramref name="left"/> + <paramref name="right"/> (broadcasting), without an implicit scalar.</summary>
    public static Tensor Add(Tensor left, Tensor right) => left.add(right, One);

    /// <summary>Adds <paramref name="right"/> to <paramref name="left"/> in place, without an implicit scalar.</summary>
    public static Tensor AddInPlace(Tensor left, Tensor right) => left.add_(right, One);

    /// <summary>The sum of <paramref name="terms"/> (at least one), left to right.</summary>
    public static Tensor Sum(params Tensor[] terms)
    {
        if (terms.Length == 0) throw new System.ArgumentException("At least one tensor is needed.", nameof(terms));
        if (terms.Length == 1) return terms[0].alias();
        using var scope = NewDisposeScope();
        var total = Add(terms[0], terms[1]);
        for (var i = 2; i < terms.Length; i++) total = Add(total, terms[i]);
        return total.MoveToOuterDisposeScope();
    }

    /// <summary><paramref name="tensor"/> + <paramref name="value"/>, with the scalar owned for the call.</summary>
    public static Tensor Add(Tensor tensor, double value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar, One);
    }

    /// <summary><paramref name="tensor"/> + <paramref name="value"/> for integer tensors, with the scalar owned for the call.</summary>
    public static Tensor Add(Tensor tensor, long value)
    {
        using var scalar = value.ToScalar();
        return tensor.add(scalar, One);
    }
}
