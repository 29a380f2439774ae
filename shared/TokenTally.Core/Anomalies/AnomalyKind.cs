namespace TokenTally.Core.Anomalies;

/// <summary>What kind of departure from the expected value a flagged point is.</summary>
public enum AnomalyKind
{
    /// <summary>Not anomalous.</summary>
    None = 0,

    /// <summary>A short departure: the point lies far outside the expected range, and the series is expected to return.</summary>
    Spike = 1,

    /// <summary>A sustained departure: the series has been consistently on one side of the expected range and now runs at a new level.</summary>
    LevelShift = 2,
}
