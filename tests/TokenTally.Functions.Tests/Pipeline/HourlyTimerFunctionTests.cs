using System.Net.Http.Headers;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Application.Pipeline;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Documents;
using TokenTally.Testing;
using TimerInfo = Microsoft.Azure.Functions.Worker.TimerInfo;

namespace TokenTally.Functions.Tests.Pipeline;

/// <summary>
/// HourlyTimer invoked as the worker invokes it, with the Durable client the host's binding would give it: here a client of
/// an in-process Durable Task backend whose worker runs the pipeline's orchestrations and activities on the app's services.
/// The app's clock says five past the hour after <see cref="_hour"/>.
/// </summary>
public sealed class HourlyTimerFunctionTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : IAsyncDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private readonly DateTimeOffset _hour = TimeBuckets.HourStart(DateTimeOffset.UtcNow).AddHours(-2);
    private WorkerApp? _app;

    private string InstanceId => HourRun.TimerInstanceId(_hour);

    [Fact]
    public async Task TheTimerStartsTheRunOfTheLastClosedHourUnderTheHoursId()
    {
        var app = await StartAsync();
        await SendCallInTheHourAsync(app);

        await FireAsync(app);
        var run = await WaitForRunAsync(app);

        Assert.Equal("hourly-" + _hour.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture), run.InstanceId);
        Assert.Equal(HourRun.Name, run.Name);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        var input = run.ReadInputAs<HourRunInput>()!;
        Assert.Equal(_hour, input.Hour);
        Assert.Equal(RunTrigger.Timer, input.Trigger);
        Assert.Equal(1, run.ReadOutputAs<HourRunReport>()!.CallsRolledUp);
    }

    [Fact]
    public async Task ASecondFiringForTheSameHourStartsNothingNew()
    {
        var app = await StartAsync();
        await FireAsync(app);
        var first = await WaitForRunAsync(app);

        await FireAsync(app);
        var second = await app.DurableClient.GetInstanceAsync(InstanceId, TestContext.Current.CancellationToken);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, second!.RuntimeStatus);
        Assert.Equal(first.CreatedAt, second.CreatedAt);
        Assert.Equal(first.LastUpdatedAt, second.LastUpdatedAt);
        Assert.Equal([InstanceId], await InstanceIdsAsync(app));
    }

    [Fact]
    public async Task AFailedRunOfTheHourIsStartedAgainUnderTheSameIdByTheNextFiring()
    {
        var app = await StartAsync(
            new Dictionary<string, string?> { ["TokenTally:Pipeline:ActivityAttempts"] = "2" },
            services =>
            {
                services.AddSingleton(sp => new FaultyDocumentStore(sp.GetRequiredService<PlacedDocumentStore>()));
                services.Replace(ServiceDescriptor.Singleton<IDocumentStore>(sp => sp.GetRequiredService<FaultyDocumentStore>()));
            });
        var store = app.Services.GetRequiredService<FaultyDocumentStore>();
        await SendCallInTheHourAsync(app);

        store.Container = DocumentContainer.Rollups;
        store.Fault = StoreFault.WritesRefused;
        await FireAsync(app);
        var failed = await WaitForRunAsync(app);
        store.Fault = StoreFault.None;
        await FireAsync(app);
        var rerun = await WaitForRunAsync(app);

        Assert.Equal(OrchestrationRuntimeStatus.Failed, failed.RuntimeStatus);
        Assert.Contains("rollup", failed.FailureDetails!.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, rerun.RuntimeStatus);
        Assert.True(rerun.CreatedAt > failed.CreatedAt, $"The run was not started again: created {rerun.CreatedAt:O}, the failed one {failed.CreatedAt:O}.");
        Assert.Equal(1, rerun.ReadOutputAs<HourRunReport>()!.CallsRolledUp);
        Assert.Equal([InstanceId], await InstanceIdsAsync(app));
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    /// <summary>Starts the app with its hour-run starter on a clock that reads five past the hour after <see cref="_hour"/>.</summary>
    private async Task<WorkerApp> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var clock = new FakeTimeProvider(_hour.AddHours(1).AddMinutes(5));
        return _app = await WorkerApp.StartAsync(cosmos, azurite, settings, collection =>
        {
            services?.Invoke(collection);
            collection.Replace(ServiceDescriptor.Singleton(sp =>
                new HourRunStarter(sp.GetRequiredService<IOptions<PipelineOptions>>(), clock, sp.GetRequiredService<ILogger<HourRunStarter>>())));
        });
    }

    /// <summary>The timer fires: the worker invokes the function with its timer info and the binding's Durable client.</summary>
    private static async Task FireAsync(WorkerApp app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var function = ActivatorUtilities.CreateInstance<HourlyTimerFunction>(scope.ServiceProvider);
        await function.RunAsync(new TimerInfo(), app.DurableClient, new TestFunctionContext(scope.ServiceProvider, cancellationToken: TestContext.Current.CancellationToken));
    }

    private async Task<OrchestrationMetadata> WaitForRunAsync(WorkerApp app)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(RunTimeout);
        return await app.DurableClient.WaitForInstanceCompletionAsync(InstanceId, getInputsAndOutputs: true, timeout.Token);
    }

    private static async Task<List<string>> InstanceIdsAsync(WorkerApp app)
    {
        var ids = new List<string>();
        await foreach (var instance in app.DurableClient.GetAllInstancesAsync(new OrchestrationQuery()))
        {
            ids.Add(instance.InstanceId);
        }

        return ids;
    }

    private async Task SendCallInTheHourAsync(WorkerApp app)
    {
        var project = await app.NewProjectAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new StringContent(CallRecords.Batch(CallRecords.Record("timer-1", _hour.AddMinutes(30))), new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("api-key", project.Key);
        (await app.Api.SendAsync(request, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }
}
