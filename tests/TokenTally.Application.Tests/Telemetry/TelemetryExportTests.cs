using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TokenTally.Application.Hosting;
using TokenTally.Application.Telemetry;

namespace TokenTally.Application.Tests.Telemetry;

/// <summary>Where telemetry goes is read from the settings, and a malformed setting is named without quoting a secret.</summary>
public sealed class TelemetryExportTests
{
    private const string Valid = "InstrumentationKey=2f0c7d4e-7a51-4c3b-9d0e-5b8f1a2c3d4e;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/";

    [Fact]
    public void WithoutSettingsNothingIsExported()
    {
        var export = Read([]);

        Assert.False(export.Enabled);
        Assert.Null(export.AzureMonitorConnectionString);
        Assert.Null(export.OtlpEndpoint);
    }

    [Fact]
    public void AConnectionStringAsThePortalShowsItSendsToApplicationInsights()
    {
        var export = Read(new() { [TelemetryExport.ConnectionStringSetting] = Valid });

        Assert.True(export.Enabled);
        Assert.Equal(Valid, export.AzureMonitorConnectionString);
    }

    [Theory]
    [InlineData("IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/", "it has no InstrumentationKey")]
    [InlineData("InstrumentationKey=secret-but-no-guid", "its InstrumentationKey is not a GUID")]
    [InlineData("InstrumentationKey=2f0c7d4e-7a51-4c3b-9d0e-5b8f1a2c3d4e;IngestionEndpoint=westeurope", "its IngestionEndpoint is not an absolute http(s) URL")]
    [InlineData("2f0c7d4e-7a51-4c3b-9d0e-5b8f1a2c3d4e", "it holds a part that is not Key=value")]
    public void AMalformedConnectionStringIsNamedInOneLineWithoutItsValue(string connectionString, string why)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read(new() { [TelemetryExport.ConnectionStringSetting] = connectionString }));

        Assert.True(StartupErrors.TryDescribe(error, out var problem));
        Assert.StartsWith($"APPLICATIONINSIGHTS_CONNECTION_STRING is not an Application Insights connection string: {why}.", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(connectionString, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    [Fact]
    public void EveryMalformedTelemetrySettingIsNamed()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Read(new()
        {
            [TelemetryExport.ConnectionStringSetting] = "InstrumentationKey=x",
            ["TokenTally:Telemetry:OtlpEndpoint"] = "collector",
            ["TokenTally:Telemetry:OtlpProtocol"] = "http/json",
        }));

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.StartsWith("TokenTally:Telemetry:OtlpEndpoint must be an absolute URL", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("TokenTally:Telemetry:OtlpProtocol must be 'grpc' or 'http/protobuf'", StringComparison.Ordinal));
    }

    private static TelemetryExport Read(Dictionary<string, string?> settings) =>
        TelemetryExport.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
}
