using Xunit;

namespace CtcDsl.Tests.Support;

/// <summary>Access to ../shared/data for tests that need the real LDC93S1 files.</summary>
internal static class SharedData
{
    /// <summary>
    /// The LDC93S1 folder. Skips the test when it is absent on a developer clone; fails when
    /// CTCDSL_REQUIRE_DATA=1 (CI), so the real-data tests can never be skipped silently there.
    /// </summary>
    public static string Ldc93s1()
    {
        var path = RepositoryPaths.Ldc93s1Data;
        if (path is null && RepositoryPaths.DataRequired)
            Assert.Fail("CTCDSL_REQUIRE_DATA=1 but ../shared/data/ldc93s1 is missing.");
        Skip.If(path is null, "../shared/data/ldc93s1 is not present on this clone.");
        return path!;
    }
}
