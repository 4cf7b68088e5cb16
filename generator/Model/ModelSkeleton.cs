namespace CtcDsl.Generator.Model;

/// <summary>
/// What a spec with errors still tells about its model: the names user code refers to. The emitter
/// turns it into placeholder types so the spec's own diagnostics are the only errors in the build,
/// instead of a cascade of CS0234/CS0246 from every line that uses the model.
/// </summary>
/// <param name="SpecFileName">The spec's file name, for the placeholder's messages.</param>
/// <param name="Namespace">The namespace the model's types are in.</param>
/// <param name="TypeName">The model's name (types are <c>{TypeName}Model</c>, <c>…Example</c>, <c>…Batch</c>, <c>…Outputs</c>).</param>
/// <param name="ReadsAudio">Whether the spec declares a front-end, so the model derives from the runtime's audio base.</param>
internal sealed record ModelSkeleton(string SpecFileName, string Namespace, string TypeName, bool ReadsAudio);
