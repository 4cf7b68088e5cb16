// What the tests must run in a fresh process, because it is process-wide or fixed when libtorch
// loads (issue 20):
//   CtcDsl.FreshProcess guard [ModelName...]     trains every spec compiled in (or those named) a few
//       steps, twice with full garbage collections in between, and prints each pass's losses bit for
//       bit; exit code 1 when a loss is not finite or the passes differ. StaleMemoryGuardTests runs it
//       with every allocation poisoned (poison_alloc.c, LD_PRELOAD) and without.
//   CtcDsl.FreshProcess libtorch-conv            libtorch's own conv1d (26 channels) and a GRU, as in issue
//       20; exit code 1 when an output is NaN (under the poisoned allocator: always).
//   CtcDsl.FreshProcess threads [N] [late M] [fit K]  calls torch.set_num_threads(N) when N is given, creates
//       the seed model, prints the intra-op thread count it then has and the one before, sets M threads
//       when asked, trains one epoch (FitOptions.Threads = K) and prints the count after it.
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
if (args is ["threads", ..])
{
    // threads [N] [late M] [fit K]: torch.set_num_threads(N) before the model, M after it, FitOptions.Threads = K.
    int? Option(string name) => Array.IndexOf(args, name) is var i and > 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : null;
    if (args.Length > 1 && int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var early)) torch.set_num_threads(early);
    var before = torch.get_num_threads();
    using var model = new CtcDsl.Models.Ldc93s1Model(torch.CPU);
    Console.WriteLine($"threads: {torch.get_num_threads()} (before the model: {before})");
    if (Option("late") is { } late) torch.set_num_threads(late);
    var features = new float[40, CtcDsl.Models.Ldc93s1Model.FeatureSize];
    var examples = new[] { CtcDsl.Models.Ldc93s1Example.FromTranscript(features, "ab"), CtcDsl.Models.Ldc93s1Example.FromTranscript(features, "ba") };
    model.Fit(examples, options: CtcDsl.Models.Ldc93s1Model.DefaultFitOptions with { Epochs = 1, Progress = null, Threads = Option("fit") });
    Console.WriteLine($"threads after fit: {torch.get_num_threads()}");
    return 0;
}
if (args is ["libtorch-conv"])
{
    // Issue 20's reproducer: libtorch's own conv1d with 26 input channels, a GRU after it. Under the
    // poisoned allocator every output is NaN; the guard must be able to see that.
    torch.random.manual_seed(1);
    var conv = torch.nn.Conv1d(26, 128, 5, stride: 2, padding: 2);
    var gru = torch.nn.GRU(128, 128, 1, batchFirst: true);
    var nan = 0L;
    for (var i = 0; i < 5; i++)
    {
        using var scope = torch.NewDisposeScope();
        var y = torch.nn.functional.relu(conv.call(torch.randn(8, 26, 100 + 20 * i)));
        nan += y.isnan().sum().item<long>();
        gru.call(y.transpose(1, 2), null).Item1.sum().backward();
    }
    Console.WriteLine($"libtorch conv1d: {nan} NaN outputs");
    return nan == 0 ? 0 : 1;
}
if (args is not ["guard", ..])
{
    Console.Error.WriteLine("usage: CtcDsl.FreshProcess guard [ModelName...] | libtorch-conv | threads [N] [late M] [fit K]");
    return 2;
}
var only = args.Length > 1 ? new HashSet<string>(args.Skip(1), StringComparer.OrdinalIgnoreCase) : null;
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
static double[] Train(Type type)
{
    torch.random.manual_seed(0);
    var featureSize = (int)type.GetField("FeatureSize")!.GetValue(null)!;
    // A subword spec's pieces come from data: trained on the built-in synthetic speech's sentences.
    var perCharacter = 6;
    if (type.GetProperty("Subwords")?.GetValue(null) is SubwordSettings subwords)
    {
        // Words of random letters split into the bare marker and single letters: more labels than characters,
        // which ×4 subsampling cannot fit in 6 frames a character.
        perCharacter = 12;
        var speech = new CtcDsl.Runtime.Data.SyntheticSpeech(seed: 0);
        subwords.Train(Enumerable.Range(0, 300).Select(_ => speech.GrammarSentence()).ToArray());
    }
    var vocabulary = (Vocabulary)type.GetProperty("Vocabulary")!.GetValue(null)!;
    var exampleType = ModelBase(type)!.GetGenericArguments()[0];
    var random = new Random(11);
    var letters = vocabulary.Tokens.Where(t => t.Length == 1 && t != " " && t[0] != SubwordModel.Marker).Take(8).Select(t => t[0]).ToArray();
    var patterns = letters.Append(' ').ToDictionary(c => c, _ => Enumerable.Range(0, featureSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray());
    var fromTranscript = exampleType.GetMethod("FromTranscript")!;
    var examples = Array.CreateInstance(exampleType, 32);
    for (var i = 0; i < examples.Length; i++)
    {
        var text = string.Join(" ", Enumerable.Range(0, random.Next(1, 3)).Select(_ => new string(Enumerable.Range(0, random.Next(2, 5)).Select(_ => letters[random.Next(letters.Length)]).ToArray())));
        var frames = new float[text.Length * perCharacter, featureSize];
        for (var c = 0; c < text.Length; c++)
            for (var f = 0; f < perCharacter; f++)
                for (var d = 0; d < featureSize; d++) frames[c * perCharacter + f, d] = patterns[text[c]][d] + (float)(random.NextDouble() * 0.2 - 0.1);
        examples.SetValue(fromTranscript.Invoke(null, new object?[] { frames, text, $"guard {i}" }), i);
    }
    using var model = (IDisposable)Activator.CreateInstance(type, new object?[] { torch.CPU })!;
    var options = (FitOptions)type.GetProperty("DefaultFitOptions")!.GetValue(null)!;
    var fit = type.GetMethods().Single(m => m.Name == "Fit" && m.GetParameters().Length == 3);
    try
    {
        var history = (TrainingHistory)fit.Invoke(model, new object?[] { examples, null, (options.Schedule is LearningRateSchedule.Warmup warmup ? options with { Schedule = warmup with { Steps = 1 } } : options) with { Epochs = 2, BatchSize = 8, Progress = null } })!;
        return history.Epochs.Select(e => e.Loss).ToArray();
    }
    catch (TargetInvocationException e) when (e.InnerException is NonFiniteLossException)
    {
        return new[] { double.NaN };
    }
}
