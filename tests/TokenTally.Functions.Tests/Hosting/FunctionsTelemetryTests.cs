using System.Net;
using System.Net.Http.Headers;
using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TokenTally.Application.Hosting;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Hosting;

/// <summary>
/// The worker's telemetry goes to Application Insights when APPLICATIONINSIGHTS_CONNECTION_STRING is set: here a loopback
/// listener stands in for the ingestion endpoint, and what the exporter posts there is decoded and checked.
/// </summary>
[Collection(ProductMeterCollection.Name)]
public sealed class FunctionsTelemetryTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
{
    private static readonly Guid InstrumentationKey = Guid.NewGuid();

    [Fact]
    public async Task SpansAndTheProductsMetricsReachApplicationInsightsWithoutAnyKey()
    {
        using var ingestion = new RecordingHttpListener();
        var connectionString = ApplicationInsightsIngestion.ConnectionString(ingestion, InstrumentationKey);
        var hour = TimeBuckets.HourStart(DateTimeOffset.UtcNow).AddHours(-1);
        TestProject project;
        string adminKey;
        int tenantHoursRolledUp;
        await using (var app = await WorkerApp.StartAsync(cosmos, azurite,
            new Dictionary<string, string?> { [TelemetryExport.ConnectionStringSetting] = connectionString },
            services => services.Configure<AzureMonitorExporterOptions>(ApplicationInsightsIngestion.ExportEverything)))
        {
            adminKey = app.AdminKey;
            project = await app.NewProjectAsync();
            using var send = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
            {
                Content = new StringContent(
                    CallRecords.Batch(
                        CallRecords.Record("priced-1", hour.AddMinutes(10)),
                        CallRecords.Record("priced-2", hour.AddMinutes(20)),
                        CallRecords.Record("unpriced-1", hour.AddMinutes(30), model: "model-nobody-prices"),
                        """{"id":"bad-1","provider":"openai","model":"gpt-4o"}"""),
                    new MediaTypeHeaderValue("application/json")),
            };
            send.Headers.Add("api-key", project.Key);
            var sent = await app.Api.SendAsync(send, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.MultiStatus, sent.StatusCode);

            await app.Services.GetRequiredService<HourRunStarter>().StartAsync(app.DurableClient, hour, TestContext.Current.CancellationToken);
            var run = await app.DurableClient.WaitForInstanceCompletionAsync(HourRun.TimerInstanceId(hour), getInputsAndOutputs: true, TestContext.Current.CancellationToken);
            Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
            tenantHoursRolledUp = run.ReadOutputAs<HourRunReport>()!.Steps.Single(s => s.Name == "rollup").Items;
        }

        // Disposing the app shut the providers down, which exported what was left.
        var items = ApplicationInsightsIngestion.Items(ingestion);
        var http = ("tokentally.intake", "http");
        Assert.Equal(3, items.Sum("tokentally.events.ingested", http, ("tokentally.ingest.outcome", "created")));
        Assert.Equal(1, items.Sum("tokentally.events.unpriced", http));
        Assert.Equal(1, items.Sum("tokentally.events.rejected", http, ("error.type", "required")));
        Assert.Equal(1, items.Count("tokentally.hour_run.duration", ("tokentally.run.trigger", "timer"), ("tokentally.run.outcome", "succeeded")));
        Assert.Equal(tenantHoursRolledUp, items.Count("tokentally.cost.hourly", ("tokentally.tenant", project.Tenant)));
        Assert.True(items.Sum("tokentally.cost.hourly", ("tokentally.tenant", project.Tenant)) > 0, "The tenant's hour cost nothing.");
        Assert.Contains(items.OfType("RemoteDependency"), span => (string?)span["data"]!["baseData"]!["name"] == PipelineActivities.RollUp);

        string[] secrets = [project.Key, adminKey, InstrumentationKey.ToString(), connectionString];
        Assert.All(items, item => Assert.All(secrets, secret =>
            Assert.DoesNotContain(secret, ApplicationInsightsIngestion.TextWithoutInstrumentationKey(item), StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public void WithTheConnectionStringTheWorkerHasTracesMetricsAndLogsForApplicationInsights()
    {
        using var host = Build(new() { [TelemetryExport.ConnectionStringSetting] = $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=https://example.in.applicationinsights.azure.com/" });

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        Assert.Equal($"InstrumentationKey={InstrumentationKey};IngestionEndpoint=https://example.in.applicationinsights.azure.com/",
            host.Services.GetRequiredService<IOptionsMonitor<AzureMonitorExporterOptions>>().CurrentValue.ConnectionString);
    }

    [Fact]
    public void WithoutTheConnectionStringNoExporterIsRegisteredAndTheMetricsStayInProcess()
    {
        using var host = Build([]);

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
        Assert.DoesNotContain(host.Services.GetServices<IConfigureOptions<AzureMonitorExporterOptions>>(), _ => true);
        Assert.NotNull(host.Services.GetService<TokenTallyMetrics>());
    }

    [Fact]
    public void AMalformedConnectionStringStopsStartUpWithOneLineNamingTheSettingButNotItsValue()
    {
        var malformed = "InstrumentationKey=not-a-guid-but-secret;IngestionEndpoint=https://example.in.applicationinsights.azure.com/";

        var error = Assert.ThrowsAny<Exception>(() => Build(new() { [TelemetryExport.ConnectionStringSetting] = malformed }));

        Assert.True(StartupErrors.TryDescribe(error, out var problem), $"The start-up error is not described: {error}");
        Assert.StartsWith("APPLICATIONINSIGHTS_CONNECTION_STRING is not an Application Insights connection string: its InstrumentationKey is not a GUID.", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-guid-but-secret", problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenTally:Cosmos:Endpoint"] = "https://example.documents.azure.com:443/",
            ["TokenTally:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddTokenTallyFunctions(builder.Configuration);
        return builder.Build();
    }
}
