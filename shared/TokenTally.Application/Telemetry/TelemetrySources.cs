using System.Diagnostics;
using TokenTally.Application.Health;

namespace TokenTally.Application.Telemetry;

/// <summary>What both hosts export: the product's own spans and metrics, and the ASP.NET Core meters.</summary>
public static class TelemetrySources
{
    public const string ProductSource = "TokenTally";

    /// <summary>Spans of the product's own work (the pipeline's activities).</summary>
    public static ActivitySource Product { get; } = new(ProductSource, ProductVersion.Value);

    public static IReadOnlyList<string> ActivitySources { get; } = [ProductSource];

    public static IReadOnlyList<string> Meters { get; } = [TokenTallyMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];
}
