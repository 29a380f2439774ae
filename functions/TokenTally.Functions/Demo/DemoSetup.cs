using Microsoft.Extensions.Options;
using TokenTally.Functions.Ingestion;

namespace TokenTally.Functions.Demo;

public static class DemoSetup
{
    private const string Switch = "--demo";

    /// <summary>
    /// Turns a bare <c>--demo</c> into <c>--TokenTally:Demo:Enabled=true</c>: the command-line
    /// configuration provider reads a bare switch as a key waiting for its value.
    /// </summary>
    public static string[] ExpandDemoSwitch(string[] args) =>
        args.Select(a => a.Equals(Switch, StringComparison.OrdinalIgnoreCase) ? $"--{DemoOptions.Section}:{nameof(DemoOptions.Enabled)}=true" : a).ToArray();

    /// <summary>The demo traffic generator: idle unless TokenTally:Demo:Enabled, and in local mode only.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section)
            .Validate(o => o.Seed >= 0, "TokenTally:Demo:Seed must be 0 or more.")
            .Validate(o => o.BackfillCallsPerDay is > 0 and <= 1_000_000, "TokenTally:Demo:BackfillCallsPerDay must be 1-1000000.")
            .Validate(o => o.LiveCallsPerSecond is null or (>= 0 and <= 1_000), "TokenTally:Demo:LiveCallsPerSecond must be empty (the history's rate) or 0-1000.")
            .Validate<IOptions<IngestionOptions>>(
                (o, ingestion) => !o.Enabled || (o.BackfillDays >= 0 && o.BackfillDays < ingestion.Value.RetentionDays),
                "TokenTally:Demo:BackfillDays must be 0 or more and less than TokenTally:Ingestion:RetentionDays.")
            .ValidateOnStart();
        services.AddSingleton<DemoProgress>();
        services.AddHostedService<DemoTrafficService>();
        return services;
    }
}
