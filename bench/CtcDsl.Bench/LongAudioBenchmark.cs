using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using CtcDsl.Runtime.Audio;

namespace CtcDsl.Bench;

/// <summary>
/// Memory and speed of featurising one long recording (default: one hour of 44.1 kHz mono 16-bit,
/// written to a temporary file): the streaming path (FrontEnd.RawFromFile) against reading it whole.
/// Peak resident memory is read from /proc (VmHWM) after each path, in separate processes so one
/// path's peak cannot hide the other's.
/// </summary>
internal static class LongAudioBenchmark
{
    public static void Run(string[] args)
    {
        if (args.Length == 3 && args[0] is "stream" or "whole") // a child process measuring one path
        {
            Measure(args[0], args[2]);
            return;
        }
        var minutes = args.Length > 0 && int.TryParse(args[0], out var m) ? m : 60;
        var path = Path.Combine(Path.GetTempPath(), $"ctcdsl-long-{minutes}min.wav");
        if (!File.Exists(path)) Write(path, 44100, minutes * 60);
        Console.WriteLine($"{minutes} min of 44.1 kHz mono 16-bit ({new FileInfo(path).Length / 1e6:F0} MB) to 16 kHz MFCC:");
        foreach (var mode in new[] { "stream", "whole" })
        {
            var self = Environment.ProcessPath!;
            var dll = typeof(LongAudioBenchmark).Assembly.Location;
            var start = new ProcessStartInfo(self) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(dll);
            foreach (var a in new[] { "--long-audio", mode, minutes.ToString(System.Globalization.CultureInfo.InvariantCulture), path }) start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            Console.Write(process.StandardOutput.ReadToEnd());
            process.WaitForExit();
        }
    }

    private static void Measure(string mode, string path)
    {
        var baseline = PeakResidentMegabytes();
        var frontEnd = new FrontEnd(new FrontEndSettings("mfcc", SampleRate: 16000));
        var clock = Stopwatch.StartNew();
        var features = mode == "stream" ? frontEnd.RawFromFile(path) : frontEnd.Raw(WavAudio.Read(path));
        clock.Stop();
        Console.WriteLine($"  {mode,-6}: {features.GetLength(0)} frames in {clock.Elapsed.TotalSeconds:F1} s; peak resident memory {PeakResidentMegabytes():F0} MB (process before: {baseline:F0} MB)");
    }

    private static double PeakResidentMegabytes()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024;
    }

    private static void Write(string path, int rate, int seconds)
    {
        using var writer = new BinaryWriter(File.Create(path));
        var samples = (long)rate * seconds;
        writer.Write("RIFF"u8.ToArray());
        writer.Write((uint)(36 + samples * 2));
        writer.Write("WAVEfmt "u8.ToArray());
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(rate);
        writer.Write(rate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8.ToArray());
        writer.Write((uint)(samples * 2));
        var random = new Random(1);
        var block = new byte[rate * 2];
        for (var s = 0; s < seconds; s++)
        {
            for (var i = 0; i < rate; i++)
            {
                var t = (double)(s * rate + i) / rate;
                BitConverter.TryWriteBytes(block.AsSpan(i * 2), (short)(8000 * Math.Sin(2 * Math.PI * (200 + 50 * Math.Sin(t)) * t) + 500 * (random.NextDouble() - 0.5)));
            }
            writer.Write(block);
        }
    }
}
