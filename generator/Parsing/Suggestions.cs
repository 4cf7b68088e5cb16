using System;
using System.Collections.Generic;
using System.Linq;

namespace CtcDsl.Generator.Parsing;

/// <summary>"Did you mean" for misspelt keys, types and names.</summary>
internal static class Suggestions
{
    /// <summary>" (did you mean 'x'?)" for the closest candidate within a few edits, else "".</summary>
    public static string DidYouMean(string written, IEnumerable<string> candidates)
    {
        var best = candidates
            .Select(c => (Candidate: c, Distance: Distance(written.ToLowerInvariant(), c.ToLowerInvariant())))
            .OrderBy(x => x.Distance).ThenBy(x => x.Candidate, StringComparer.Ordinal)
            .FirstOrDefault();
        return best.Candidate is not null && best.Distance <= Math.Max(2, written.Length / 3)
            ? $" (did you mean '{best.Candidate}'?)"
            : "";
    }

    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var diagonal = row[0];
            row[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var above = row[j];
                row[j] = Math.Min(diagonal + (a[i - 1] == b[j - 1] ? 0 : 1), Math.Min(above, row[j - 1]) + 1);
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
