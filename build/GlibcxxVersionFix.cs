// Makes TorchSharp's native glue library load on systems whose libstdc++ predates GCC 13 (Debian 12).
//
// libLibTorchSharp.so 0.107 records a dependency on the symbol version GLIBCXX_3.4.32 only because GCC 13's
// headers reference std::ios_base_library_init() to force it; nothing calls that function. glibc's loader
// refuses a library whose required version is missing unless the requirement is flagged VER_FLG_WEAK, so we set
// that flag on the one entry, in the copy in the build or publish output. The file's size and every other byte
// stay the same; a file that is already weak, or a system that has the version, is left byte-identical.
//
// This file is compiled twice: by MSBuild's RoslynCodeTaskFactory (build/Convolve.Native.targets), and into the
// test project (CONVOLVE_TESTS), which tests the pure logic without MSBuild.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Convolve.Build
{
    /// <summary>What <see cref="GlibcxxVersionFix.Apply"/> did to a file.</summary>
    public enum GlibcxxFixOutcome
    {
        /// <summary>The system's libstdc++ already provides the version: nothing to do.</summary>
        SystemIsNewEnough,
        /// <summary>The file does not require the version: nothing to do.</summary>
        NotRequired,
        /// <summary>The requirement was already weak (fixed before): nothing to do.</summary>
        AlreadyWeak,
        /// <summary>The requirement was made weak.</summary>
        Patched,
    }

    /// <summary>Flags one symbol-version requirement of an ELF64 little-endian shared library as weak.</summary>
    public static class GlibcxxVersionFix
    {
        /// <summary>The version TorchSharp 0.107 needs and Debian 12 lacks.</summary>
        public const string Version = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const uint ShtGnuVerdef = 0x6ffffffd;
        private const ushort VerFlgWeak = 0x2;

        private static readonly string[] LibraryDirectories =
        {
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
        };

        /// <summary>
        /// Applies the fix to <paramref name="libraryPath"/> unless <paramref name="systemLibStdCxx"/> (the system's
        /// libstdc++.so.6, or null when none is found) defines <see cref="Version"/>.
        /// </summary>
        public static GlibcxxFixOutcome Apply(string libraryPath, string? systemLibStdCxx)
        {
            if (systemLibStdCxx != null && DefinedVersions(File.ReadAllBytes(systemLibStdCxx)).Contains(Version))
                return GlibcxxFixOutcome.SystemIsNewEnough;

            byte[] bytes = File.ReadAllBytes(libraryPath);
            int flagsOffset = FindRequirementFlags(bytes, Version, libraryPath);
            if (flagsOffset < 0) return GlibcxxFixOutcome.NotRequired;
            ushort flags = BitConverter.ToUInt16(bytes, flagsOffset);
            if ((flags & VerFlgWeak) != 0) return GlibcxxFixOutcome.AlreadyWeak;

            ushort weak = (ushort)(flags | VerFlgWeak);
            using (var stream = new FileStream(libraryPath, FileMode.Open, FileAccess.Write))
            {
                stream.Position = flagsOffset;
                stream.WriteByte((byte)(weak & 0xff));
                stream.WriteByte((byte)(weak >> 8));
            }
            return GlibcxxFixOutcome.Patched;
        }

        /// <summary>The system's libstdc++.so.6, or null when none is in the usual directories.</summary>
        public static string? FindSystemLibStdCxx()
        {
            foreach (string dir in LibraryDirectories)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }

        /// <summary>The version names an ELF file defines (its .gnu.version_d section).</summary>
        public static HashSet<string> DefinedVersions(byte[] elf)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (Section s in Sections(elf, "system libstdc++"))
            {
                if (s.Type != ShtGnuVerdef) continue;
                Section strings = Sections(elf, "system libstdc++")[(int)s.Link];
                long def = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort auxCount = U16(elf, def + 4);
                    long aux = def + U32(elf, def + 12);
                    for (int a = 0; a < auxCount; a++)
                    {
                        names.Add(CString(elf, strings.Offset + U32(elf, aux)));
                        aux += U32(elf, aux + 4);
                    }
                    uint next = U32(elf, def + 16);
                    if (next == 0) break;
                    def += next;
                }
            }
            return names;
        }

        /// <summary>File offset of the vna_flags field of the requirement on <paramref name="version"/>, or -1.</summary>
        public static int FindRequirementFlags(byte[] elf, string version, string fileName)
        {
            List<Section> sections = Sections(elf, fileName);
            foreach (Section s in sections)
            {
                if (s.Type != ShtGnuVerneed) continue;
                Section strings = sections[(int)s.Link];
                long need = s.Offset;
                for (uint i = 0; i < s.Info; i++)
                {
                    ushort auxCount = U16(elf, need + 2);
                    long aux = need + U32(elf, need + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        if (CString(elf, strings.Offset + U32(elf, aux + 8)) == version) return checked((int)(aux + 4));
                        aux += U32(elf, aux + 12);
                    }
                    uint next = U32(elf, need + 12);
                    if (next == 0) break;
                    need += next;
                }
            }
            return -1;
        }

        private readonly struct Section
        {
            public Section(uint type, long offset, uint link, uint info) { Type = type; Offset = offset; Link = link; Info = info; }
            public uint Type { get; }
            public long Offset { get; }
            public uint Link { get; }
            public uint Info { get; }
        }

        private static List<Section> Sections(byte[] elf, string fileName)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException(fileName + " is not an ELF file.");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException(fileName + " is not a 64-bit little-endian ELF file.");
            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            ushort shentsize = U16(elf, 0x3a);
            ushort shnum = U16(elf, 0x3c);
            if (shentsize < 64 || shoff <= 0 || shoff + (long)shnum * shentsize > elf.Length)
                throw new InvalidDataException(fileName + " has a section header table outside the file.");
            var list = new List<Section>(shnum);
            for (int i = 0; i < shnum; i++)
            {
                long h = shoff + (long)i * shentsize;
                list.Add(new Section(U32(elf, h + 4), (long)BitConverter.ToUInt64(elf, (int)(h + 24)), U32(elf, h + 40), U32(elf, h + 44)));
            }
            return list;
        }

        private static ushort U16(byte[] b, long at) => BitConverter.ToUInt16(b, checked((int)at));
        private static uint U32(byte[] b, long at) => BitConverter.ToUInt32(b, checked((int)at));

        private static string CString(byte[] b, long at)
        {
            int start = checked((int)at), end = start;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, start, end - start);
        }
    }

#if !CONVOLVE_TESTS
    /// <summary>MSBuild task: applies <see cref="GlibcxxVersionFix"/> to each of <see cref="Files"/> that exists.</summary>
    public class FixGlibcxxVersion : Microsoft.Build.Utilities.Task
    {
        /// <summary>Native libraries to fix (libLibTorchSharp.so copies in build or publish output).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

        /// <inheritdoc />
        public override bool Execute()
        {
            string? system = GlibcxxVersionFix.FindSystemLibStdCxx();
            foreach (var item in Files)
            {
                string path = item.GetMetadata("FullPath");
                if (!File.Exists(path)) continue;
                try
                {
                    GlibcxxFixOutcome outcome = GlibcxxVersionFix.Apply(path, system);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "GLIBCXX fix: {0}: {1}", path, outcome);
                }
                catch (Exception e)
                {
                    Log.LogError("GLIBCXX fix failed on {0}: {1}", path, e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
