namespace CtcDsl.Runtime.Training;

/// <summary>A word of a forced alignment with its time in the recording.</summary>
/// <param name="Text">The word.</param>
/// <param name="Start">Start of its first label's first frame, in seconds.</param>
/// <param name="End">End of its last label's last frame, in seconds.</param>
/// <param name="LogProbability">Σ log P over its labels' frames.</param>
public sealed record TimedWord(string Text, double Start, double End, double LogProbability);
