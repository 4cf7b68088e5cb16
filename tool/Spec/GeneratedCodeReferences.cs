using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace CtcDsl.Tool.Spec;

/// <summary>
/// What generated model code compiles against: the shared framework, TorchSharp and CtcDsl's runtime.
/// Compiled into the tool and linked into the tests' generator harness, so both compile a spec alike.
/// </summary>
internal static class GeneratedCodeReferences
{
    /// <summary>
    /// The shared framework's assemblies (not the whole trusted list: a host's list may hold other
    /// generated models whose types would clash) plus the TorchSharp, runtime and core assemblies loaded here.
    /// </summary>
    public static ImmutableArray<MetadataReference> Load()
    {
        var framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var platform = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetDirectoryName(p) == framework);
        // The runtime (TorchSharp modules, trainer) and CtcDsl.Core (vocabulary, front-ends, decoders), one namespace in two assemblies.
        var extra = new[] { typeof(TorchSharp.torch).Assembly.Location, typeof(CtcDsl.Runtime.Nn.Conv1d).Assembly.Location, typeof(CtcDsl.Runtime.Text.Vocabulary).Assembly.Location };
        return platform.Concat(extra).Distinct().Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
