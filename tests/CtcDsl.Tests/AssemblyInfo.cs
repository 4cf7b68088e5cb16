// TorchSharp's random generator is process-wide: tests that seed it (initialisation, dropout,
// exact resume) would see each other's draws if they ran in parallel.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
