namespace TokenTally.Core.Anomalies;

/// <summary>How far outside its expected range a flagged point lies, in robust standard deviations of the series' noise.</summary>
public enum AnomalySeverity
{
    /// <summary>Under 5 standard deviations.</summary>
    Low = 1,

    /// <summary>From 5 to under 8 standard deviations.</summary>
    Medium = 2,

    /// <summary>From 8 to under 15 standard deviations.</summary>
    High = 3,

    /// <summary>15 standard deviations or more.</summary>
    Critical = 4,
}
