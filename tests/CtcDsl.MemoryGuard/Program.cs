// Trains every spec compiled into this program for a few steps, twice in one process with full
// garbage collections in between, and prints each pass's losses bit for bit. Exit code 1 when a
// loss is not finite or the two passes differ. Run by StaleMemoryGuardTests under poison_alloc.c.
//   CtcDsl.MemoryGuard [ModelName...]          the guard (all models, or those named)
//   CtcDsl.MemoryGuard --junk-fill ModelName   trains with libtorch's junk fill; prints the trainer's diagnosis
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using CtcDsl.Runtime.Text;
using CtcDsl.Runtime.Training;
using TorchSharp;

var models = typeof(Program).Assembly.GetTypes()
    .Where(t => !t.IsAbstract && ModelBase(t) is not null)
    .OrderBy(t => t.Name, StringComparer.Ordinal)
    .ToList();
if (args is ["--junk-fill", var name])
{
    // libtorch's own junk fill (every CPU allocation NaN, zero fill off) brings issue 20's fault back
    // in-process: the trainer must trace the NaN to the network, not to the data.
    CtcDsl.Runtime.Nn.NativeBackend.EnsureLoaded();
    CtcDsl.Runtime.Nn.NativeAllocator.JunkFill = true;
    try
    {
        var losses = Train(models.Single(t => t.Name == name), rethrow: true);
        Console.WriteLine($"no fault: {string.Join(" ", losses)}");
        return 2;
    }
    catch (TargetInvocationException e) when (e.InnerException is NonFiniteLossException fault)
    {
        Console.WriteLine($"cause: {fault.Cause}");
        Console.WriteLine(fault.Message);
        return 0;
    }
}
var only = args.Length > 0 ? new HashSet<string>(args, StringComparer.OrdinalIgnoreCase) : null;
var failed = false;
foreach (var type in models)
{
    if (only is not null && !only.Contains(type.Name)) continue;
    var passes = new List<string>();
    for (var pass = 1; pass <= 2; pass++)
    {
        var losses = Train(type);
        passes.Add(string.Join(" ", losses.Select(l => BitConverter.SingleToInt32Bits((float)l).ToString("x8", CultureInfo.InvariantCulture))));
        var finite = losses.All(double.IsFinite);
        failed |= !finite;
        Console.WriteLine($"{type.Name} pass {pass}: {string.Join(" ", losses.Select(l => l.ToString("R", CultureInfo.InvariantCulture)))} [{passes[^1]}]{(finite ? "" : "  NOT FINITE")}");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
    if (passes[0] != passes[1])
    {
        failed = true;
        Console.WriteLine($"{type.Name}: the two passes differ");
    }
}
return failed ? 1 : 0;

// The CtcModel<TExample, TBatch> a generated model derives from (directly or through CtcAudioModel).
static Type? ModelBase(Type type)
{
    for (var t = type.BaseType; t is not null; t = t.BaseType)
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(CtcModel<,>)) return t;
    return null;
}

// Two epochs of four batches on synthetic utterances: each character six noisy frames of its own pattern.
static double[] Train(Type type, bool rethrow = false)
{
    torch.random.manual_seed(0);
    var featureSize = (int)type.GetField("FeatureSize")!.GetValue(null)!;
    var vocabulary = (Vocabulary)type.GetProperty("Vocabulary")!.GetValue(null)!;
    var exampleType = ModelBase(type)!.GetGenericArguments()[0];
    var random = new Random(11);
    var letters = vocabulary.Tokens.Where(t => t.Length == 1 && t != " ").Take(8).Select(t => t[0]).ToArray();
    var patterns = letters.Append(' ').ToDictionary(c => c, _ => Enumerable.Range(0, featureSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
    var fromTranscript = exampleType.GetMethod("FromTranscript")!;
    var examples = Array.CreateInstance(exampleType, 32);
    for (var i = 0; i < examples.Length; i++)
    {
        var text = string.Join(" ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => new string(Enumerable.Range(0, random.Next(2, 5)).Select(_ => letters[random.Next(letters.Length)]).ToArray())));
        var frames = new float[text.Length * 6, featureSize];
        for (var c = 0; c < text.Length; c++)
            for (var f = 0; f < 6; f++)
                for (var d = 0; d < featureSize; d++) frames[c * 6 + f, d] = patterns[text[c]][d] + (float)(random.NextDouble() * 0.2 - 0.1);
        examples.SetValue(fromTranscript.Invoke(null, new object?[] { frames, text, $"guard {i}" }), i);
    }
    using var model = (IDisposable)Activator.CreateInstance(type, new object?[] { torch.CPU })!;
    var options = (FitOptions)type.GetProperty("DefaultFitOptions")!.GetValue(null)!;
    var fit = type.GetMethods().Single(m => m.Name == "Fit" && m.GetParameters().Length == 3);
    try
    {
        var history = (TrainingHistory)fit.Invoke(model, new object?[] { examples, null, options with { Epochs = 2, BatchSize = 8, Progress = null } })!;
        return history.Epochs.Select(e => e.Loss).ToArray();
    }
    catch (TargetInvocationException e) when (e.InnerException is NonFiniteLossException && !rethrow)
    {
        return new[] { double.NaN };
    }
}
