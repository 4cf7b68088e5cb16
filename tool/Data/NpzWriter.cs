using System;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;

namespace CtcDsl.Tool.Data;

/// <summary>
/// Writes NumPy's <c>.npz</c> (a zip of <c>.npy</c> arrays, format version 1.0), which <c>numpy.load</c> reads
/// with no other package: float32, int64 and fixed-width unicode arrays, little-endian, C order.
/// </summary>
public sealed class NpzWriter : IDisposable
{
    private readonly ZipArchive archive;

    /// <summary>Creates <paramref name="path"/> (replacing it).</summary>
    public NpzWriter(string path) => archive = new ZipArchive(File.Create(path), ZipArchiveMode.Create);

    /// <summary>A float32 array of <paramref name="shape"/>.</summary>
    public void Add(string name, float[] values, params long[] shape) =>
        Write(name, "<f4", shape, stream => { foreach (var v in values) stream.Write(BitConverter.GetBytes(v), 0, 4); });

    /// <summary>An int64 vector.</summary>
    public void Add(string name, long[] values) =>
        Write(name, "<i8", new long[] { values.Length }, stream => { foreach (var v in values) stream.Write(BitConverter.GetBytes(v), 0, 8); });

    /// <summary>A vector of unicode strings (NumPy's <c>&lt;U n</c>: UTF-32, padded with zeros).</summary>
    public void Add(string name, string[] values)
    {
        var width = Math.Max(1, values.Select(v => CodePoints(v).Length).DefaultIfEmpty(1).Max());
        Write(name, "<U" + width.ToString(CultureInfo.InvariantCulture), new long[] { values.Length }, stream =>
        {
            foreach (var value in values)
            {
                var points = CodePoints(value);
                for (var i = 0; i < width; i++) stream.Write(BitConverter.GetBytes(i < points.Length ? points[i] : 0), 0, 4);
            }
        });
    }

    /// <summary>An int64 scalar (shape ()).</summary>
    public void Add(string name, long value) =>
        Write(name, "<i8", Array.Empty<long>(), stream => stream.Write(BitConverter.GetBytes(value), 0, 8));

    private void Write(string name, string dtype, long[] shape, Action<Stream> body)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("NpzWriter writes little-endian arrays from a little-endian machine only.");
        var dims = shape.Length == 1 ? shape[0].ToString(CultureInfo.InvariantCulture) + "," : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        var header = $"{{'descr': '{dtype}', 'fortran_order': False, 'shape': ({dims}), }}";
        // Magic (6) + version (2) + length (2) + header, padded with spaces to a multiple of 64 and ended by a newline.
        var padded = header.PadRight((10 + header.Length + 1 + 63) / 64 * 64 - 10 - 1) + "\n";
        using var stream = archive.CreateEntry(name + ".npy", CompressionLevel.Fastest).Open();
        stream.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, 0, 8);
        stream.Write(BitConverter.GetBytes((ushort)padded.Length), 0, 2);
        var ascii = Encoding.ASCII.GetBytes(padded);
        stream.Write(ascii, 0, ascii.Length);
        body(stream);
    }

    private static int[] CodePoints(string text)
    {
        var points = new System.Collections.Generic.List<int>();
        for (var i = 0; i < text.Length; i += char.IsSurrogatePair(text, i) ? 2 : 1) points.Add(char.ConvertToUtf32(text, i));
        return points.ToArray();
    }

    /// <summary>Finishes the archive.</summary>
    public void Dispose() => archive.Dispose();
}
