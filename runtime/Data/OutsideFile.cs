using System.IO;

namespace CtcDsl.Runtime.Data;

/// <summary>Checks an outside file before it is opened, so that opening cannot hang or read without end.</summary>
internal static class OutsideFile
{
    /// <summary>
    /// Refuses a folder, and anything whose size is 0: a FIFO (opening it blocks until a writer comes),
    /// a device such as <c>/dev/zero</c> (endless) or an empty file. Stat reports size 0 for all of them,
    /// and no ARPA model or lexicon is empty, so the size is the portable test.
    /// </summary>
    /// <exception cref="DataFileException">The path is a folder, missing, or not a regular file with content.</exception>
    public static void RequireRegular(string path, string what)
    {
        if (Directory.Exists(path)) throw new DataFileException($"{path}: the {what} is a folder, not a file.");
        var info = new FileInfo(path);
        if (!info.Exists) throw new DataFileException($"{path}: the {what} does not exist.");
        // A symbolic link reports its own size (the length of the target's name): the target is what is read.
        if (info.LinkTarget is not null)
        {
            FileSystemInfo? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw new DataFileException($"{path}: the {what} is a symbolic link that cannot be followed ({e.Message}).", e);
            }
            if (target is not FileInfo { Exists: true } file) throw new DataFileException($"{path}: the {what} is a symbolic link to nothing readable ({info.LinkTarget}).");
            info = file;
        }
        if (info.Length == 0) throw new DataFileException($"{path}: the {what} is empty or not a regular file (a FIFO, a device); refused before opening.");
    }
}
