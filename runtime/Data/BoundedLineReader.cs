using System.IO;
using System.Text;

namespace CtcDsl.Runtime.Data;

/// <summary>
/// Reads lines of an outside text file with a bound on each line's length: <c>/dev/zero</c> or a gzip
/// bomb of one endless line fails after <see cref="MaxLineChars"/> characters with a
/// <see cref="DataFileException"/> naming the file and the line, instead of growing a string until the
/// framework throws (issue 23 measured ~60 s and 8.3 GB before an exception naming no file).
/// </summary>
internal sealed class BoundedLineReader
{
    /// <summary>The longest line read (characters); ARPA and lexicon lines are short, 1 MiB is generous.</summary>
    public const int MaxLineChars = 1 << 20;

    private readonly TextReader reader;
    private readonly string name;
    private readonly int maxChars;
    private readonly StringBuilder line = new();

    public BoundedLineReader(TextReader reader, string name, int maxChars = MaxLineChars)
    {
        this.reader = reader;
        this.name = name;
        this.maxChars = maxChars;
    }

    /// <summary>The 1-based number of the last line read.</summary>
    public int Number { get; private set; }

    /// <summary>The next line without its terminator (\n, \r\n or \r), or null at the end.</summary>
    /// <exception cref="DataFileException">The line is longer than the bound.</exception>
    public string? ReadLine()
    {
        line.Clear();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n') break;
            if (c == '\r')
            {
                if (reader.Peek() == '\n') reader.Read();
                break;
            }
            if (line.Length == maxChars)
                throw new DataFileException($"{name} line {Number + 1}: longer than {maxChars} characters (the bound on a line); not a text file of this kind.");
            line.Append((char)c);
        }
        if (c < 0 && line.Length == 0) return null;
        Number++;
        return line.ToString();
    }
}
