// Transcribes audio with a CtcDsl model exported to ONNX, given the .onnx file alone (its metadata holds
// the vocabulary, front-end, statistics and decoder): no TorchSharp, no libtorch, no spec.
//
//   dotnet run --project samples/OnnxTranscribe -c Release -- MODEL.onnx AUDIO... [--long] [--subtitles OUT.srt|OUT.vtt]
//                                                            [--beam N] [--lm LM.arpa] [--lexicon WORDS.txt] [--threads N]
//   dotnet run --project samples/OnnxTranscribe -c Release -- STREAMING.onnx AUDIO... --stream [MS]
//
// --stream: a streaming: true spec's ExportOnnxStreaming file, fed each recording in pieces of MS milliseconds
// (default 20) as a microphone would, printing each partial result as it changes, then the final one.
//
// Export a trained model first: a generated model's ExportOnnx(path) (the template: dotnet run -- export model.onnx;
// the seed sample: --export-onnx OUT.onnx --checkpoint CKPT).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using CtcDsl.Onnx;
using CtcDsl.Runtime.Decoding;
using CtcDsl.Runtime.LanguageModels;
using CtcDsl.Runtime.Text;

var files = new List<string>();
string? subtitles = null, lm = null, lexicon = null;
int? beam = null, threads = null, streamMs = null;
var longForm = false;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "--long": longForm = true; break;
            case "--subtitles": subtitles = args[++i]; longForm = true; break;
            case "--beam": beam = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
            case "--lm": lm = args[++i]; break;
            case "--lexicon": lexicon = args[++i]; break;
            case "--threads": threads = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
            case "--stream": streamMs = i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0 ? int.Parse(args[++i], CultureInfo.InvariantCulture) : 20; break;
            default: files.Add(args[i]); break;
        }
    }
}
catch (Exception e) when (e is IndexOutOfRangeException or FormatException)
{
    files.Clear();
}
if (files.Count < 2)
{
    Console.Error.WriteLine("usage: OnnxTranscribe MODEL.onnx AUDIO... [--long] [--subtitles OUT.srt|OUT.vtt] [--beam N] [--lm LM.arpa] [--lexicon WORDS.txt] [--threads N]");
    return 2;
}

try
{
    if (streamMs is { } pieceMs) return Stream(files[0], files.Skip(1), pieceMs, threads);
    using var recognizer = OnnxRecognizer.Load(files[0], new OnnxRecognizerOptions { Threads = threads });
    if (lm is not null || lexicon is not null)
        recognizer.UseLanguageModel(lm is null ? null : NgramLanguageModel.Load(lm), lexicon is null ? null : Lexicon.Load(lexicon),
            new LanguageModelBeamSearchOptions { BeamWidth = beam ?? 16 });
    else if (beam is { } width)
        recognizer.Decoder = new PrefixBeamSearch(recognizer.Vocabulary.BlankIndex, width);
    Console.Error.WriteLine($"{recognizer.Info.ModelName}: {recognizer.Info.FrontEnd?.Kind ?? "features"} front-end, {recognizer.Vocabulary.Tokens.Count} tokens, decoder {recognizer.Decoder.GetType().Name}");
    foreach (var file in files.Skip(1))
    {
        if (!longForm)
        {
            Console.WriteLine($"{file}: {recognizer.TranscribeFile(file)}");
            continue;
        }
        // Long recordings: windows with context, greedy best path with token and word times.
        var transcript = recognizer.TranscribeLong(file);
        Console.WriteLine($"{file} ({transcript.Duration:F1} s): {transcript.Text}");
        Console.WriteLine("Word timings: " + string.Join(" ", transcript.Words.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Text} {w.Start:F2}-{w.End:F2}"))));
        if (subtitles is not null)
            File.WriteAllText(subtitles, subtitles.EndsWith(".vtt", StringComparison.OrdinalIgnoreCase) ? Subtitles.ToWebVtt(transcript.Words) : Subtitles.ToSrt(transcript.Words));
    }
    return 0;
}
catch (Exception e) when (e is IOException or FormatException or ArgumentException or InvalidOperationException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

// Each recording resampled to the model's rate once, then fed in pieces; partials printed as they change.
static int Stream(string model, IEnumerable<string> audioFiles, int pieceMs, int? threads)
{
    using var recognizer = OnnxStreamingRecognizer.Load(model, new OnnxRecognizerOptions { Threads = threads });
    var rate = recognizer.FrontEnd.SampleRate;
    var piece = Math.Max(1, rate * pieceMs / 1000);
    foreach (var file in audioFiles)
    {
        var samples = CtcDsl.Runtime.Audio.AudioFile.Read(file, rate).Samples;
        var stream = recognizer.CreateStream();
        var shown = "";
        for (var start = 0; start < samples.Length; start += piece)
        {
            stream.AcceptWaveform(samples.AsSpan(start, Math.Min(piece, samples.Length - start)));
            var partial = stream.Partial.Text;
            if (partial != shown) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {stream.Duration:F2} s: {partial}"));
            shown = partial;
        }
        var final = stream.Finish();
        Console.WriteLine($"{file}: {final.Text}");
        Console.WriteLine("Word timings: " + string.Join(" ", final.Words.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Text} {w.Start:F2}-{w.End:F2}"))));
    }
    return 0;
}
