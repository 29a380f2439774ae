namespace TokenTally.Functions.Ingestion.Lag;

/// <summary>TokenTally:IntakeLag — when the health report calls the Event Hubs intake behind.</summary>
public sealed class IntakeLagOptions
{
    public const string Section = "TokenTally:IntakeLag";

    /// <summary>Events a partition may be behind before the health report says degraded.</summary>
    public long MaxEventsBehind { get; set; } = 10_000;
}
