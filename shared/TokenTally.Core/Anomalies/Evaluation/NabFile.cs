namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>One scored NAB file: a detector's anomaly score for every row, and the file's labelled windows.</summary>
/// <param name="Name">The file's name as in the windows file (<c>subset/file.csv</c>).</param>
/// <param name="Scores">The detector's anomaly score in [0, 1] for every row, in time order.</param>
/// <param name="Windows">The labelled windows, in time order and not overlapping; empty for a file without anomalies.</param>
public sealed record NabFile(string Name, IReadOnlyList<double> Scores, IReadOnlyList<NabWindow> Windows)
{
    /// <summary>
    /// The rows NAB ignores when scoring, counted from the start: 15 % of the rows, at most 750
    /// (NAB's probationary period, 15 % of 5,000 rows).
    /// </summary>
    public int ProbationaryRows => Math.Min((int)Math.Floor(0.15 * Scores.Count), 750);
}
