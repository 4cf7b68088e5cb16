// Benchmarks (Release):
//   dotnet run --project bench/CtcDsl.Bench -c Release                  seed model: generated vs hand-written TorchSharp
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --pipeline    feature extraction throughput and trainer idle time
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --long-audio [MINUTES]  memory of featurising one long recording
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --suite       issue 6: floor, workload 2, beam search, generator, memory
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --threads [seed] [template] [workload2] [--no-crossover]  issue 21: thread settings alone and beside a second training job
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --beam [ROUNDS]  prefix beam search frames/s, widths 8 and 32
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --decode [MINUTES]  FLAC, WAV and MP3 decoding speed (needs flac, lame)
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --stream-corpus [HOURS,HOURS] [EPOCHS]  training from disk: memory and idle share
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --lm [SENTENCES]  ARPA load time, memory and query speed at about a million n-grams
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --conv [ROUNDS]  the runtime's conv1d against libtorch's (speed and error)
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --encoders [ROUNDS]  issue 24: ms per training step, Conformer-CTC against the BiGRU
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --encoders-train [MINUTES] [data=grammar|random] [only=conformer|bpe|bigru]  issue 24: held-out CER after the same CPU time
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --onnx [FILES]  ONNX Runtime recognizer vs TorchSharp: RTF, first result, peak memory, 1 and 2 threads
//   dotnet run --project bench/CtcDsl.Bench -c Release -- --subwords-train [MINUTES]  issue 24: conformer-ctc vs conformer-ctc-bpe (generated), held-out CER after the same time
using System.Linq;
using CtcDsl.Bench;

if (args.Contains("--onnx")) OnnxBenchmark.Run(args.Where(a => a != "--onnx").ToArray());
else if (args.Contains("--conv")) ConvBenchmark.Run(args.Where(a => a != "--conv").ToArray());
else if (args.Contains("--subwords-train")) SubwordTrainingBenchmark.Run(args.Where(a => a != "--subwords-train").ToArray());
else if (args.Contains("--encoders-train")) EncoderTrainingBenchmark.Run(args.Where(a => a != "--encoders-train").ToArray());
else if (args.Contains("--encoders")) EncoderBenchmark.Run(args.Where(a => a != "--encoders").ToArray());
else if (args.Contains("--lm")) LanguageModelBenchmark.Run(args.Where(a => a != "--lm").ToArray());
else if (args.Contains("--stream-corpus")) StreamingCorpusBenchmark.Run(args.Where(a => a != "--stream-corpus").ToArray());
else if (args.Contains("--decode")) AudioDecodeBenchmark.Run(args.Where(a => a != "--decode").ToArray());
else if (args.Contains("--beam")) BeamBenchmark.Run(args.Where(a => a != "--beam").ToArray());
else if (args.Contains("--threads-child")) ThreadsBenchmark.ChildRun(args.Where(a => a != "--threads-child").ToArray());
else if (args.Contains("--threads")) ThreadsBenchmark.Run(args.Where(a => a != "--threads").ToArray());
else if (args.Contains("--long-audio")) LongAudioBenchmark.Run(args.Where(a => a != "--long-audio").ToArray());
else if (args.Contains("--pipeline")) PipelineBenchmark.Run(args.Where(a => a != "--pipeline").ToArray());
else if (args.Contains("--suite")) SuiteBenchmark.Run(args.Where(a => a != "--suite").ToArray());
else SeedBenchmark.Run(args);
return 0;
