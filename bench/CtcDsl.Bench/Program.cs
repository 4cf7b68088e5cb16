// Benchmarks (Release):
//   dotnet run --project bench/CtcDsl.Bench -c Release                  seed model: generated vs hand-written TorchSharp
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --pipeline    feature extraction throughput and trainer idle time
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --workload2   3-layer BiLSTM(256) training step (issue 6, first measurement)
using System.Linq;
using CtcDsl.Bench;

if (args.Contains("--pipeline")) PipelineBenchmark.Run(args.Where(a => a != "--pipeline").ToArray());
else if (args.Contains("--workload2")) Workload2Benchmark.Run(args.Where(a => a != "--workload2").ToArray());
else SeedBenchmark.Run(args);
