using System;
using System.IO;
using CtcDsl.Models;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;

namespace CtcDsl.Samples.Ldc93s1;

/// <summary><c>--lm</c>, <c>--lexicon</c>, <c>--alpha</c>, <c>--beta</c>: the model's reports decode with a fused beam search instead of the spec's decoder.</summary>
public static class SampleDecoding
{
    /// <summary>Sets the model's decoder when the command line names a language model or lexicon; false (after printing why) when one cannot be read.</summary>
    public static bool Apply(Ldc93s1Model model, SampleArguments arguments)
    {
        if (arguments.LanguageModel is null && arguments.Lexicon is null) return true;
        try
        {
            var lm = arguments.LanguageModel is { } lmPath ? NgramLanguageModel.Load(lmPath) : null;
            var lexicon = arguments.Lexicon is { } lexiconPath ? Lexicon.Load(lexiconPath) : null;
            model.UseLanguageModel(lm, lexicon, new LanguageModelBeamSearchOptions { Alpha = arguments.Alpha, Beta = arguments.Beta });
            Console.WriteLine($"Decoding with a beam search{(lm is null ? "" : $" and {arguments.LanguageModel} (order {lm.Order}, α={arguments.Alpha}, β={arguments.Beta})")}{(lexicon is null ? "" : $", lexicon {arguments.Lexicon} ({lexicon.Count} words)")}.");
            return true;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return false;
        }
    }
}
