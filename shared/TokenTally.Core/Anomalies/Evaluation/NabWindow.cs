namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>A labelled anomaly window of a NAB file, as 0-based row indices; both ends are inclusive.</summary>
/// <param name="First">The window's first row.</param>
/// <param name="Last">The window's last row (at least <paramref name="First"/>).</param>
public readonly record struct NabWindow(int First, int Last)
{
    /// <summary>The number of rows in the window.</summary>
    public int Width => Last - First + 1;
}
