using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace TokenTally.Functions.Telemetry;

/// <summary>TokenTally's own activity source and meter; exported over OTLP when an endpoint is configured.</summary>
public sealed class TokenTallyTelemetry : IDisposable
{
    public const string Name = "TokenTally";

    private readonly Meter _meter;
    private readonly Counter<long> _invocations;
    private readonly Histogram<double> _invocationDuration;

    public TokenTallyTelemetry(IMeterFactory meters)
    {
        _meter = meters.Create(Name);
        _invocations = _meter.CreateCounter<long>("tokentally.function.invocations", "{invocation}", "Function invocations by function and outcome.");
        _invocationDuration = _meter.CreateHistogram<double>("tokentally.function.duration", "s", "Function invocation duration.");
    }

    public ActivitySource Source { get; } = new(Name, HostingVersion);

    private static string HostingVersion => Hosting.HostingEnvironment.Version;

    public void RecordInvocation(string function, string outcome, TimeSpan duration)
    {
        var tags = new TagList { { "faas.name", function }, { "tokentally.outcome", outcome } };
        _invocations.Add(1, tags);
        _invocationDuration.Record(duration.TotalSeconds, tags);
    }

    public void Dispose()
    {
        Source.Dispose();
        _meter.Dispose();
    }
}
