namespace TokenTally.Application.Calls;

/// <summary>TokenTally:Ledger — how long call records are kept.</summary>
public sealed class LedgerOptions
{
    public const string Section = "TokenTally:Ledger";

    /// <summary>Days a call record is kept, counted from the call's own timestamp; older timestamps are rejected at intake.</summary>
    public int RetentionDays { get; set; } = 30;

    public TimeSpan Retention => TimeSpan.FromDays(RetentionDays);
}
