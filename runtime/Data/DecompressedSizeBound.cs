using System;
using System.IO;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// A decompressing stream with a bound on what it may expand to: <see cref="Ratio"/> times the
/// compressed file's size, and never less than <see cref="Floor"/>. Text such as an ARPA model
/// compresses 3 to 20 times; a gzip bomb (a few MB that expand to GB of newlines, which no line bound
/// stops) expands about a thousand times and fails here, a <see cref="DataFileException"/> naming the
/// file and the bound, after reading no more than the bound.
/// </summary>
internal sealed class DecompressedSizeBound : Stream
{
    /// <summary>How many times its compressed size a file may expand to.</summary>
    public const long Ratio = 64;

    /// <summary>What any compressed file may expand to, however small (bytes).</summary>
    public const long Floor = 64L << 20;

    private readonly Stream inner;
    private readonly string name;
    private long read;

    /// <param name="inner">The decompressing stream.</param>
    /// <param name="compressedBytes">The compressed file's size.</param>
    /// <param name="name">Names the file in errors.</param>
    public DecompressedSizeBound(Stream inner, long compressedBytes, string name)
    {
        this.inner = inner;
        this.name = name;
        Limit = Math.Max(Floor, compressedBytes > long.MaxValue / Ratio ? long.MaxValue : compressedBytes * Ratio);
    }

    /// <summary>The most bytes this stream gives.</summary>
    public long Limit { get; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var got = inner.Read(buffer);
        read += got;
        if (read > Limit)
            throw new DataFileException($"{name}: decompresses to more than {Limit} bytes (the bound: {Ratio} times the compressed size, at least {Floor}); a gzip bomb or not a file of this kind.");
        return got;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => read;
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
