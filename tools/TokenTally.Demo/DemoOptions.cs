using TokenTally.Demo.EventHubs;

namespace TokenTally.Demo;

/// <summary>TokenTally:Demo — the demo company's traffic. It reads the same arguments as local mode, so it finds the server and its data folder.</summary>
public sealed class DemoOptions
{
    public const string Section = "TokenTally:Demo";

    /// <summary>The server; empty means http://127.0.0.1:&lt;TokenTally:Local:Port&gt;.</summary>
    public string? ServerUrl { get; set; }

    /// <summary>Local mode's data folder, where the admin key is read and the demo keys and state are written; empty means TokenTally:Local:DataPath.</summary>
    public string? DataPath { get; set; }

    /// <summary>Picks one of many equally plausible histories; part of every generated id.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Days of history to back-fill before the first start (less than the ledger's retention).</summary>
    public int BackfillDays { get; set; } = 21;

    /// <summary>Average calls per day of the demo company (weekdays busier, weekends quieter).</summary>
    public int BackfillCallsPerDay { get; set; } = 4_000;

    /// <summary>
    /// Live traffic after the back-fill: empty continues the history at its own rate and rhythm; 0 sends none; a number
    /// sends that many calls a second on average (the latest hours then stand out from the history in every chart).
    /// </summary>
    public double? LiveCallsPerSecond { get; set; }

    /// <summary>Where the calls go when not to the server's HTTP intake: an Event Hub the deployed app reads.</summary>
    public DemoEventHubOptions EventHubs { get; } = new();
}
