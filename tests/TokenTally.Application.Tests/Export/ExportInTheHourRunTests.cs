using Azure.Core;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenTally.Application.Export;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Application.Tests.Pipeline;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Export;

/// <summary>The export step of the hour run, in the Durable Task test host, against a loopback stand-in of the Logs Ingestion API.</summary>
public sealed class ExportInTheHourRunTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Hour = Pipelines.ClosedHour(2);

    private readonly PipelineWorld _world = new();
    private readonly IngestionEndpoint _endpoint = new();
    private DurableTaskTestHost _exporting = null!;
    private DurableTaskTestHost _plain = null!;

    public async ValueTask InitializeAsync()
    {
        _exporting = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPorts.Free(),
            LoggerFactory = NullLoggerFactory.Instance,
            ConfigureServices = services =>
            {
                _world.Configure(services);
                services.AddSingleton<TokenCredential>(new RecordingCredential());
                services.Configure<LogsIngestionOptions>(o =>
                {
                    o.Endpoint = _endpoint.BaseAddress;
                    o.RuleId = "dcr-0123456789abcdef0123456789abcdef";
                    o.StreamName = "Custom-TokenTallyRollups";
                });
            },
        });
        _plain = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPorts.Free(), LoggerFactory = NullLoggerFactory.Instance, ConfigureServices = _world.Configure,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _exporting.DisposeAsync();
        await _plain.DisposeAsync();
        _endpoint.Dispose();
        _world.Dispose();
    }

    private static async Task<(string Id, HourRunReport Report)> RunAsync(DurableTaskTestHost host)
    {
        var input = new HourRunInput(Hour, RunTrigger.Timer, Reprice: false, host.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings());
        var id = await host.Client.ScheduleNewOrchestrationInstanceAsync(HourRun.Name, input, TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        var done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        return (id, done.ReadOutputAs<HourRunReport>()!);
    }

    [Fact]
    public async Task EveryRolledUpTenantHourIsExportedUnderTheRunsInstanceId()
    {
        string[] tenants = ["t-" + Guid.NewGuid().ToString("N")[..8], "t-" + Guid.NewGuid().ToString("N")[..8]];
        await _world.IngestAsync(_exporting.Services, tenants, [Hour, Hour.AddHours(-1)], perHour: 3);

        var (id, report) = await RunAsync(_exporting);

        var export = report.Steps.Single(s => s.Name == "export");
        var rollup = report.Steps.Single(s => s.Name == "rollup");
        Assert.Equal(("succeeded", rollup.Done, rollup.Done), (export.Status, export.Items, export.Done));
        Assert.Equal(["rollup", "export", "archive"], report.Steps.Select(s => s.Name).Take(3));
        var records = _endpoint.Requests.SelectMany(r => r.Records).Where(r => tenants.Contains((string)r!["Tenant"]!)).ToList();
        Assert.All(records, r => Assert.Equal(id, (string?)r!["RunId"]));
        var exported = records.Select(r => ((string)r!["Tenant"]!, r["Hour"]!.GetValue<DateTimeOffset>())).Distinct().Order().ToList();
        Assert.Equal(tenants.SelectMany(t => new[] { (t, Hour.AddHours(-1)), (t, Hour) }).Order().ToList(), exported);
        Assert.Equal(12, records.Where(r => (string?)r!["Cube"] == "total").Sum(r => (long)r!["Calls"]!));
    }

    [Fact]
    public async Task WithoutTheExportConfiguredTheRunHasNoExportStepAndSendsNothing()
    {
        await _world.IngestAsync(_plain.Services, ["t-" + Guid.NewGuid().ToString("N")[..8]], [Hour], perHour: 2);

        var (_, report) = await RunAsync(_plain);

        Assert.DoesNotContain(report.Steps, s => s.Name == "export");
        Assert.Contains(report.Steps, s => s.Name == "rollup" && s.Done > 0);
        Assert.Empty(_endpoint.Requests);
    }
}
