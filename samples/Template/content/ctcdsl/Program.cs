// The model speech.ctc.yaml declares (the generator writes SyntheticModel from it on every build; read
// it in Generated/) trained on CtcDsl's built-in synthetic speech: sentences of real words, spoken by a
// formant voice. Two commands:
//   dotnet run                          train, save model.ckpt, reload it, transcribe sentences it never heard
//   dotnet run -- transcribe FILE       transcribe a WAV, FLAC or MP3 file with model.ckpt (sample.wav is one)
//   dotnet run -- export model.onnx     the trained model as ONNX: transcribe with the CtcDsl.Onnx package and that file alone
// Your own data: model.LoadDataSet("train.csv") instead of the synthetic corpus (see the ctcdsl tool for checks).
using System.Diagnostics;
using CtcDsl.Models;
using CtcDsl.Runtime.Audio;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;
using TorchSharp;

try
{
    if (args is ["transcribe", var file]) return Transcribe(file);
    if (args is ["export", var onnx]) return Export(onnx);
    if (args.Length > 0)
    {
        Console.Error.WriteLine("usage: dotnet run [-- transcribe FILE | -- export MODEL.onnx]");
        return 2;
    }
    return Train(epochs: CTCDSL_EPOCHS);
}
catch (Exception e) when (e is NonFiniteLossException or TrainingDivergedException or IOException or ArgumentException)
{
    // What went wrong and where (the example, the file), on one line; the message names its docs page.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Train(int epochs)
{
    var clock = Stopwatch.StartNew();
    torch.random.manual_seed(1);
    using var model = new SyntheticModel(torch.CPU);
    var training = new SyntheticSpeech(seed: 1).GrammarUtterances(160);
    var heldOut = new SyntheticSpeech(seed: 2).GrammarUtterances(8);

    // The spec normalises features with training-set statistics: fit them first (they are saved with the model).
    model.FitStatistics(training.Select(u => u.Audio));
    var examples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToList();
    // Batches of 16 (the spec says 32): twice the steps per epoch on this small corpus, so it learns within a minute.
    var history = model.Fit(examples, options: SyntheticModel.DefaultFitOptions with { Epochs = epochs, BatchSize = 16, BucketByLength = true });
    Console.WriteLine($"loss {history.Epochs[0].Loss:F2} -> {history.Epochs[^1].Loss:F2} after {history.Epochs.Count} epochs ({clock.Elapsed.TotalSeconds:F0} s)");

    model.SaveCheckpoint("model.ckpt");
    using var loaded = new SyntheticModel(torch.CPU);
    loaded.LoadCheckpoint("model.ckpt");
    var exact = 0;
    foreach (var (audio, transcript) in heldOut)
    {
        var text = loaded.Transcribe(audio);
        exact += text == transcript ? 1 : 0;
        Console.WriteLine($"'{transcript}' -> '{text}'{(text == transcript ? "  (exact)" : string.IsNullOrWhiteSpace(text) ? "  (empty: nothing learned yet)" : "")}");
    }
    var report = loaded.Report(heldOut.Select((u, i) => loaded.ExampleFromAudio(u.Audio, u.Transcript, $"held-out {i}")).ToList());
    Console.WriteLine($"Sentences it never heard: CER {report.CharacterErrorRate * 100:F1}%, WER {report.WordErrorRate * 100:F1}%, {exact} of {heldOut.Count} exact." +
                      (report.CharacterErrorRate > 0.5 ? " It has not learned yet: train longer (more epochs)." : ""));

    // A recording to try the second command on.
    var sample = new SyntheticSpeech(seed: 3).GrammarUtterances(1)[0];
    WavAudio.Write("sample.wav", sample.Audio);
    Console.WriteLine($"Saved model.ckpt. Try: dotnet run -- transcribe sample.wav   (it says \"{sample.Transcript}\")");
    return 0;
}

static int Export(string path)
{
    if (!File.Exists("model.ckpt"))
    {
        Console.Error.WriteLine("error: model.ckpt is missing: run `dotnet run` first to train it.");
        return 1;
    }
    using var model = new SyntheticModel(torch.CPU);
    model.LoadCheckpoint("model.ckpt"); // the weights and the front-end's statistics
    model.ExportOnnx(path);
    Console.WriteLine($"Wrote {path} ({new FileInfo(path).Length / 1e6:F1} MB): vocabulary, front-end and statistics included. " +
                      "Transcribe with the CtcDsl.Onnx package: OnnxRecognizer.Load(path).TranscribeLong(file).");
    return 0;
}

static int Transcribe(string file)
{
    if (!File.Exists("model.ckpt"))
    {
        Console.Error.WriteLine("error: model.ckpt is missing: run `dotnet run` first to train it.");
        return 1;
    }
    using var model = new SyntheticModel(torch.CPU);
    model.LoadCheckpoint("model.ckpt");
    var transcript = model.TranscribeLong(file); // any length, WAV, FLAC or MP3, any sample rate
    if (string.IsNullOrWhiteSpace(transcript.Text))
    {
        Console.WriteLine($"{file} ({transcript.Duration:F1} s): the transcript is empty: the model emitted only blanks (train longer, or the recording holds no speech it knows).");
        return 0;
    }
    Console.WriteLine($"{file} ({transcript.Duration:F1} s): {transcript.Text}");
    Console.WriteLine(string.Join(" ", transcript.Words.Select(w => $"{w.Text}@{w.Start:F2}s")));
    return 0;
}
