using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;
using NWaves.Audio;
using NWaves.Signals;
using static TorchSharp.torch;

namespace CtcDsl.Bench;

/// <summary>
/// The data pipeline: (1) feature extraction throughput in seconds of audio per second, on one worker
/// and on every core, for MFCC and log filterbank, from WAV files of the built-in synthetic speech;
/// (2) how long the trainer waits for batches when features load lazily from those files, with the
/// next batch collated on a worker (prefetch) and without.
/// </summary>
internal static class PipelineBenchmark
{
    public static void Run(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 256;
        var directory = Directory.CreateTempSubdirectory("ctcdsl-bench-").FullName;
        try
        {
            var speech = new SyntheticSpeech(42);
            var utterances = speech.Utterances(count).Select((u, i) =>
            {
                var path = Path.Combine(directory, $"u{i:D4}.wav");
                using (var file = File.Create(path)) new WaveFile(new DiscreteSignal(u.Audio.SampleRate, u.Audio.Samples), 16).SaveTo(file);
                return new Utterance(path, u.Transcript, $"synthetic {i}");
            }).ToArray();
            var seconds = utterances.Sum(u => WavAudio.Read(u.AudioPath).Duration);
            Console.WriteLine($"{count} synthetic utterances, {seconds:F1} s of 16 kHz audio in WAV files; {Environment.ProcessorCount} cores.");
            Console.WriteLine();
            Console.WriteLine($"{"front-end",-22} {"workers",8} {"audio s / s",12}");
            foreach (var (name, frontEnd) in new (string, Func<MonoAudio, float[,]>)[] { ("mfcc (13)", a => new Mfcc().Compute(a)), ("log filterbank (26)", a => new LogFilterbank().Compute(a)) })
                foreach (var workers in new[] { 1, Environment.ProcessorCount }.Distinct())
                {
                    var loader = new FeatureLoader(frontEnd, name, 16000) { Workers = workers };
                    loader.Load(utterances.Take(16).ToArray()); // warm-up
                    var clock = Stopwatch.StartNew();
                    loader.Load(utterances);
                    Console.WriteLine($"{name,-22} {workers,8} {seconds / clock.Elapsed.TotalSeconds,12:F0}");
                }

            Console.WriteLine();
            Console.WriteLine("Trainer waiting for batches (Synthetic model, batch 32, features loaded lazily from the WAV files):");
            Console.WriteLine($"{"prefetch",-9} {"epoch",6} {"epoch s",9} {"idle s",8} {"idle %",7}");
            var filterbank = new LogFilterbank();
            foreach (var prefetch in new[] { false, true })
            {
                // Fresh lazy examples per run: epoch 1 extracts features, epoch 2 finds them loaded.
                var examples = utterances.Select(u => new SyntheticExample(
                    () => FeatureNormalization.PerUtterance(filterbank.Compute(WavAudio.Read(u.AudioPath, 16000))),
                    SyntheticModel.Vocabulary.Encode(u.Transcript), u.Source)).ToArray();
                random.manual_seed(1);
                using var model = new SyntheticModel(CPU);
                var history = model.Fit(examples, null, SyntheticModel.DefaultFitOptions with { Epochs = 2, Prefetch = prefetch, Progress = null });
                foreach (var epoch in history.Epochs)
                    Console.WriteLine($"{prefetch,-9} {epoch.Epoch,6} {epoch.Duration.TotalSeconds,9:F2} {epoch.IdleTime.TotalSeconds,8:F2} {100 * epoch.IdleTime / epoch.Duration,6:F1}%");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
