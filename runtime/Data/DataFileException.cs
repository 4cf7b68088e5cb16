using System;
using System.IO;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// A file from outside — audio, a manifest, a cached feature entry — that cannot be used. The message
/// names the file (and the manifest line when the file came through one) and the reason. An
/// <see cref="IOException"/>, so a program that reports I/O problems reports these too.
/// </summary>
public class DataFileException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DataFileException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
