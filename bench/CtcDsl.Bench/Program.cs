// Benchmarks (Release):
//   dotnet run --project bench/CtcDsl.Bench -c Release                  seed model: generated vs hand-written TorchSharp
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --pipeline    feature extraction throughput and trainer idle time
using System.Linq;
using CtcDsl.Bench;

if (args.Contains("--pipeline")) PipelineBenchmark.Run(args.Where(a => a != "--pipeline").ToArray());
else SeedBenchmark.Run(args);
