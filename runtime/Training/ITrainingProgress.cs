namespace CtcDsl.Runtime.Training;

/// <summary>Receives training progress from <see cref="CtcTrainer"/>; see <see cref="TrainingProgress"/> for the built-in displays.</summary>
public interface ITrainingProgress
{
    /// <summary>An epoch begins; it will run <paramref name="batches"/> steps.</summary>
    void EpochStarted(int epoch, int epochs, int batches);

    /// <summary>A step finished; <paramref name="running"/> holds the epoch's running averages so far.</summary>
    void BatchCompleted(int epoch, int batch, int batches, System.Collections.Generic.IReadOnlyList<System.Collections.Generic.KeyValuePair<string, double>> running);

    /// <summary>An epoch finished, validation included.</summary>
    void EpochCompleted(EpochResult result, int epochs, int examples, int steps);

    /// <summary>Training ended (completed, stopped early or cancelled).</summary>
    void Finished(TrainingHistory history);

    /// <summary>A message for the user (resume, checkpoint, early stop).</summary>
    void Message(string text);
}
