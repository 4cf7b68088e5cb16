// Trains the model that speech.ctc.yaml declares (the generator writes SyntheticModel from it on
// every build) on CtcDsl's built-in synthetic speech, saves it, loads it into a fresh model and
// transcribes sentences it never saw. Replace the corpus with yours: model.LoadDataSet("train.csv").
using CtcDsl.Models;
using CtcDsl.Runtime.Data;
using CtcDsl.Runtime.Training;
using TorchSharp;

try
{
    torch.random.manual_seed(1);
    using var model = new SyntheticModel(torch.CPU);
    var training = new SyntheticSpeech(seed: 1).Utterances(64);
    var heldOut = new SyntheticSpeech(seed: 2).Utterances(4);

    // The spec normalises features with training-set statistics: fit them first (they are saved with the model).
    model.FitStatistics(training.Select(u => u.Audio));
    var examples = training.Select((u, i) => model.ExampleFromAudio(u.Audio, u.Transcript, $"train {i}")).ToList();
    var history = model.Fit(examples, options: SyntheticModel.DefaultFitOptions with { Epochs = CTCDSL_EPOCHS });
    Console.WriteLine($"loss {history.Epochs[0].Loss:F2} -> {history.Epochs[^1].Loss:F2} after {history.Epochs.Count} epochs");

    model.SaveCheckpoint("model.ckpt");
    using var loaded = new SyntheticModel(torch.CPU);
    loaded.LoadCheckpoint("model.ckpt");
    foreach (var (audio, transcript) in heldOut)
        Console.WriteLine($"'{transcript}' -> '{loaded.Transcribe(audio)}'");
    return 0;
}
catch (Exception e) when (e is NonFiniteLossException or TrainingDivergedException or IOException or ArgumentException)
{
    // What went wrong and where (the example, the file), on one line; the message names its docs page.
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
