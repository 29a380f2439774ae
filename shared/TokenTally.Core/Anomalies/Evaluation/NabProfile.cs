namespace TokenTally.Core.Anomalies.Evaluation;

/// <summary>
/// An application profile of the Numenta Anomaly Benchmark (NAB): what a detection inside a window earns
/// (<see cref="TruePositiveWeight"/>), what a detection outside every window costs (<see cref="FalsePositiveWeight"/>)
/// and what a window without any detection costs (<see cref="FalseNegativeWeight"/>).
/// </summary>
/// <param name="Name">NAB's name for the profile (<c>standard</c>, <c>reward_low_FP_rate</c>, <c>reward_low_FN_rate</c>).</param>
/// <param name="TruePositiveWeight">A_TP: the worth of a detection on a window's first row.</param>
/// <param name="FalsePositiveWeight">A_FP: the cost of a detection far from any preceding window.</param>
/// <param name="FalseNegativeWeight">A_FN: the cost of a window with no detection.</param>
public sealed record NabProfile(string Name, double TruePositiveWeight, double FalsePositiveWeight, double FalseNegativeWeight)
{
    /// <summary>NAB's <c>standard</c> profile: A_TP 1, A_FP 0.11, A_FN 1.</summary>
    public static NabProfile Standard { get; } = new("standard", 1.0, 0.11, 1.0);

    /// <summary>NAB's <c>reward_low_FP_rate</c> profile: A_TP 1, A_FP 0.22, A_FN 1.</summary>
    public static NabProfile RewardLowFalsePositives { get; } = new("reward_low_FP_rate", 1.0, 0.22, 1.0);

    /// <summary>NAB's <c>reward_low_FN_rate</c> profile: A_TP 1, A_FP 0.11, A_FN 2.</summary>
    public static NabProfile RewardLowFalseNegatives { get; } = new("reward_low_FN_rate", 1.0, 0.11, 2.0);

    /// <summary>The three profiles in NAB's order: standard, low FP, low FN.</summary>
    public static IReadOnlyList<NabProfile> All { get; } = [Standard, RewardLowFalsePositives, RewardLowFalseNegatives];
}
