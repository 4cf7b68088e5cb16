// Compiled twice: by MSBuild's RoslynCodeTaskFactory (as the WeakenGlibcxxNeed task, see
// CtcDsl.Torch.targets) and by the test project (with CTCDSL_ELF_ONLY, which leaves out the
// MSBuild task so the ELF logic can be unit-tested without MSBuild assemblies).
//
// Why: libLibTorchSharp.so of TorchSharp 0.107 lists GLIBCXX_3.4.32 (GCC 13) among its version
// needs only for the marker symbol _ZSt21ios_base_library_initv, which no relocation uses. Hosts
// whose libstdc++ stops at an older version (Debian 12: GLIBCXX_3.4.30) refuse to load it.
// Marking that one version need as weak (VER_FLG_WEAK in vna_flags of .gnu.version_r) makes the
// dynamic loader accept a missing version, and nothing else about the library changes.
using System;
using System.IO;
using System.Text;

namespace CtcDsl.Build
{
    /// <summary>Reads and edits the version needs (<c>.gnu.version_r</c>) of an ELF64 little-endian file.</summary>
    public static class ElfVersionNeeds
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        /// <summary>The <c>VER_FLG_WEAK</c> bit of <c>vna_flags</c>.</summary>
        public const ushort VerFlagWeak = 0x2;

        /// <summary>What <see cref="MarkWeak"/> found.</summary>
        public enum Outcome
        {
            /// <summary>The file does not need the version at all.</summary>
            NotNeeded,
            /// <summary>The need was already weak; nothing changed.</summary>
            AlreadyWeak,
            /// <summary>The need was strong and is now weak.</summary>
            Patched,
        }

        /// <summary>
        /// Marks every need of <paramref name="version"/> in <paramref name="elf"/> weak, in place.
        /// Idempotent. Throws <see cref="InvalidDataException"/> when the bytes are not ELF64 LE.
        /// </summary>
        public static Outcome MarkWeak(byte[] elf, string version)
        {
            var outcome = Outcome.NotNeeded;
            foreach (var flagsOffset in FindFlagOffsets(elf, version))
            {
                var flags = ReadU16(elf, flagsOffset);
                if ((flags & VerFlagWeak) != 0)
                {
                    if (outcome == Outcome.NotNeeded) outcome = Outcome.AlreadyWeak;
                    continue;
                }
                WriteU16(elf, flagsOffset, (ushort)(flags | VerFlagWeak));
                outcome = Outcome.Patched;
            }
            return outcome;
        }

        /// <summary>Returns the <c>vna_flags</c> of each need of <paramref name="version"/> (empty when none).</summary>
        public static ushort[] ReadFlags(byte[] elf, string version)
        {
            var offsets = FindFlagOffsets(elf, version);
            var flags = new ushort[offsets.Length];
            for (var i = 0; i < offsets.Length; i++) flags[i] = ReadU16(elf, offsets[i]);
            return flags;
        }

        /// <summary>True when a shared library's bytes define or mention <paramref name="version"/> (used on libstdc++).</summary>
        public static bool MentionsVersion(byte[] library, string version)
        {
            var needle = Encoding.ASCII.GetBytes(version + "\0");
            for (var i = 0; i + needle.Length <= library.Length; i++)
            {
                var match = true;
                for (var j = 0; j < needle.Length && match; j++) match = library[i + j] == needle[j];
                if (match) return true;
            }
            return false;
        }

        /// <summary>File offsets of the <c>vna_flags</c> field of each need of <paramref name="version"/>.</summary>
        public static int[] FindFlagOffsets(byte[] elf, string version)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

            var sectionTable = checked((int)ReadU64(elf, 0x28));
            var sectionSize = ReadU16(elf, 0x3A);
            var sectionCount = ReadU16(elf, 0x3C);
            var found = new System.Collections.Generic.List<int>();
            for (var s = 0; s < sectionCount; s++)
            {
                var header = sectionTable + s * sectionSize;
                if (ReadU32(elf, header + 4) != ShtGnuVerneed) continue;

                var offset = checked((int)ReadU64(elf, header + 0x18));
                var stringTableIndex = (int)ReadU32(elf, header + 0x28);
                var needCount = ReadU32(elf, header + 0x2C);
                var strings = checked((int)ReadU64(elf, sectionTable + stringTableIndex * sectionSize + 0x18));

                var need = offset;
                for (var n = 0; n < needCount; n++)
                {
                    var auxCount = ReadU16(elf, need + 2);
                    var aux = need + (int)ReadU32(elf, need + 8);
                    for (var a = 0; a < auxCount; a++)
                    {
                        var name = ReadCString(elf, strings + (int)ReadU32(elf, aux + 8));
                        if (name == version) found.Add(aux + 4);
                        aux += (int)ReadU32(elf, aux + 12);
                    }
                    need += (int)ReadU32(elf, need + 12);
                }
            }
            return found.ToArray();
        }

        private static string ReadCString(byte[] b, int offset)
        {
            var end = offset;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, offset, end - offset);
        }

        private static ushort ReadU16(byte[] b, int o) => (ushort)(b[o] | b[o + 1] << 8);
        private static uint ReadU32(byte[] b, int o) => (uint)(b[o] | b[o + 1] << 8 | b[o + 2] << 16 | b[o + 3] << 24);
        private static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | (ulong)ReadU32(b, o + 4) << 32;
        private static void WriteU16(byte[] b, int o, ushort v) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
    }

#if !CTCDSL_ELF_ONLY
    /// <summary>
    /// MSBuild task: weakens the GLIBCXX version need of the given libraries when the host's libstdc++
    /// lacks that version. A no-op elsewhere (new enough libstdc++, Windows, macOS).
    /// </summary>
    public sealed class WeakenGlibcxxNeed : Microsoft.Build.Utilities.Task
    {
        private static readonly string[] LibStdCxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        /// <summary>The native libraries to patch (missing files are ignored).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Libraries { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <summary>The version whose need is made weak.</summary>
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            if (Environment.OSVersion.Platform != PlatformID.Unix) return true;
            var host = Array.Find(LibStdCxxCandidates, File.Exists);
            if (host != null && ElfVersionNeeds.MentionsVersion(File.ReadAllBytes(host), Version))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "{0} provides {1}; nothing to patch.", host, Version);
                return true;
            }

            foreach (var item in Libraries)
            {
                var path = item.ItemSpec;
                if (!File.Exists(path)) continue;
                var bytes = File.ReadAllBytes(path);
                var outcome = ElfVersionNeeds.MarkWeak(bytes, Version);
                if (outcome != ElfVersionNeeds.Outcome.Patched) continue;
                // Write beside and rename, so an interrupted build never leaves a half-written library.
                var temporary = path + ".ctcdsl-tmp";
                File.WriteAllBytes(temporary, bytes);
                File.Replace(temporary, path, null);
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                    "Marked the {0} need of {1} weak (host libstdc++ lacks it).", Version, path);
            }
            return true;
        }
    }
#endif
}
