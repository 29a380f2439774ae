namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>A detector's raw NAB score over a corpus at one threshold.</summary>
/// <param name="Threshold">The threshold; <see cref="double.PositiveInfinity"/> means no detections.</param>
/// <param name="RawScore">The corpus raw score: the sum of <paramref name="FileScores"/>.</param>
/// <param name="FileScores">Each file's raw score, in the order the files were given.</param>
public sealed record NabCorpusScore(double Threshold, double RawScore, IReadOnlyList<double> FileScores);
