using TokenTally.Core.Calls;

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

    /// <summary>What a rollup counts of a stored call: its dimensions (canonical provider and model), tokens, cost and latencies.</summary>
    public static CallFact Of(StoredCall call)
    {
        ArgumentNullException.ThrowIfNull(call);
        var e = call.Event;
        var values = new string[DimensionCount];
        values[(int)Dimension.Project] = e.Project;
        values[(int)Dimension.Service] = e.Service ?? Cube.None;
        values[(int)Dimension.Release] = e.Release ?? Cube.None;
        values[(int)Dimension.Environment] = e.Environment ?? Cube.None;
        values[(int)Dimension.Provider] = call.Pricing.Provider;
        values[(int)Dimension.Model] = call.Pricing.Model;
        values[(int)Dimension.Operation] = OperationNames[(int)e.Operation];
        values[(int)Dimension.Department] = e.Department ?? Cube.None;
        values[(int)Dimension.User] = e.UserId ?? Cube.None;
        values[(int)Dimension.Experiment] = e.Experiment ?? Cube.None;
        values[(int)Dimension.Variant] = e.Variant ?? Cube.None;
        values[(int)Dimension.Status] = e.Status == CallStatus.Ok ? "ok" : "error";
        var usage = e.Usage;
        return new CallFact(values, e.Status == CallStatus.Error, usage.Input, usage.CachedInput, usage.CacheWrite, usage.Output, usage.Reasoning,
            call.Pricing.Cost?.Total ?? 0m, call.Pricing.Unpriced, e.LatencyMs, e.TimeToFirstTokenMs);
    }

    private static readonly string[] OperationNames = [.. Enum.GetValues<CallOperation>().Select(o => o.ToString().ToLowerInvariant())];
}
