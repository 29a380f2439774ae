namespace TokenTally.Functions.Demo;

/// <summary>TokenTally:Demo — the demo traffic generator of <c>./run.sh --demo</c> (local mode only).</summary>
public sealed class DemoOptions
{
    public const string Section = "TokenTally:Demo";

    /// <summary>Generate demo traffic; <c>--demo</c> on the command line sets it.</summary>
    public bool Enabled { get; set; }

    /// <summary>Picks one of many equally plausible histories; part of every generated id.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Days of history to back-fill before the first start (less than the ingest retention).</summary>
    public int BackfillDays { get; set; } = 21;

    /// <summary>Average calls per day of the demo company (weekdays busier, weekends quieter).</summary>
    public int BackfillCallsPerDay { get; set; } = 4_000;

    /// <summary>
    /// Live traffic after the back-fill: empty continues the history at its own rate and rhythm;
    /// 0 sends none; a number sends that many calls a second on average (the latest hours then
    /// stand out from the history in every chart).
    /// </summary>
    public double? LiveCallsPerSecond { get; set; }
}
