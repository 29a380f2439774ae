namespace TokenTally.Core.Rollups;

/// <summary>What a rollup needs of one stored call.</summary>
/// <param name="Values">The call's value for every <see cref="Dimension"/> (missing ones as <see cref="Cube.None"/>), indexed by the enum.</param>
/// <param name="IsError">Whether the call failed.</param>
/// <param name="InputTokens">All prompt tokens.</param>
/// <param name="CachedInputTokens">Cache reads.</param>
/// <param name="CacheWriteTokens">Cache writes.</param>
/// <param name="OutputTokens">All completion tokens.</param>
/// <param name="ReasoningTokens">Reasoning tokens.</param>
/// <param name="CostUsd">Our price of the call (0 when unpriced).</param>
/// <param name="Unpriced">Whether the call could not be priced.</param>
/// <param name="LatencyMs">Total latency, if reported.</param>
/// <param name="TimeToFirstTokenMs">Time to first token, if reported.</param>
public sealed record CallFact(
    string[] Values,
    bool IsError,
    long InputTokens,
    long CachedInputTokens,
    long CacheWriteTokens,
    long OutputTokens,
    long ReasoningTokens,
    decimal CostUsd,
    bool Unpriced,
    double? LatencyMs,
    double? TimeToFirstTokenMs)
{
    /// <summary>Number of dimensions.</summary>
    public static readonly int DimensionCount = Enum.GetValues<Dimension>().Length;

    /// <summary>The value of one dimension.</summary>
    public string this[Dimension dimension] => Values[(int)dimension];
}
