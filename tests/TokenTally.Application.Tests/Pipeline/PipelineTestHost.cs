using System.Security.Cryptography;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Projects;
using TokenTally.Application.Tests.Alerts.Channels;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Pipeline;

/// <summary>
/// The pipeline's orchestrations in the Durable Task test host, on a <see cref="PipelineWorld"/> of their own and a fake
/// clock, with what the specifications of the hour run's steps share: timer runs, other orchestrations, a tenant and a
/// webhook channel (loopback allowed, two attempts).
/// </summary>
internal sealed class PipelineTestHost : IAsyncDisposable
{
    private readonly DurableTaskTestHost _host;

    private PipelineTestHost(PipelineWorld world, SkippingClock clock, DurableTaskTestHost host)
    {
        World = world;
        Clock = clock;
        _host = host;
    }

    public PipelineWorld World { get; }

    public SkippingClock Clock { get; }

    public IServiceProvider Services => _host.Services;

    public RunSettings Settings => Services.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings();

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>Starts the host with its clock at <paramref name="now"/>.</summary>
    public static async Task<PipelineTestHost> StartAsync(DateTimeOffset now)
    {
        var world = new PipelineWorld();
        var clock = new SkippingClock(now);
        var host = await DurableTaskTestHost.StartAsync(PipelineTasks.Register, new DurableTaskTestHostOptions
        {
            Port = LoopbackPorts.Free(),
            ConfigureServices = services =>
            {
                world.Configure(services);
                services.AddSingleton<TimeProvider>(clock);
                services.PostConfigure<AlertChannelOptions>(o => (o.AllowLoopbackHttp, o.MaxAttempts) = (true, 2));
            },
            LoggerFactory = NullLoggerFactory.Instance,
        });
        return new PipelineTestHost(world, clock, host);
    }

    /// <summary>Moves the fake clock on to <paramref name="time"/>; a rerun of an older hour leaves it where it is.</summary>
    public void AdvanceClockTo(DateTimeOffset time)
    {
        if (time > Clock.GetUtcNow())
        {
            Clock.SetUtcNow(time);
        }
    }

    /// <summary>The timer's run of <paramref name="hour"/>, started five minutes after the hour closed on the fake clock; it must succeed.</summary>
    public async Task<HourRunReport> TimerRunAsync(DateTimeOffset hour)
    {
        AdvanceClockTo(hour.AddHours(1).AddMinutes(5));
        var done = await RunAsync(HourRun.Name, new HourRunInput(hour, RunTrigger.Timer, Reprice: false, Settings));
        Assert.True(done.RuntimeStatus == OrchestrationRuntimeStatus.Completed, $"{done.RuntimeStatus}: {done.FailureDetails?.ErrorMessage}");
        return done.ReadOutputAs<HourRunReport>()!;
    }

    /// <summary>Runs orchestration <paramref name="name"/> and waits for it (three minutes at most).</summary>
    public async Task<OrchestrationMetadata> RunAsync(string name, object input)
    {
        var id = await _host.Client.ScheduleNewOrchestrationInstanceAsync(name, input, Cancellation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        return await _host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token);
    }

    /// <summary>A new tenant, with project <c>p</c>.</summary>
    public async Task<string> TenantAsync()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..8];
        await Services.GetRequiredService<ProjectStore>().CreateAsync(tenant, "p", new Dictionary<string, string>(), Cancellation);
        return tenant;
    }

    /// <summary>A webhook channel of <paramref name="tenant"/> to <paramref name="url"/>, with a signing secret.</summary>
    public async Task<string> WebhookChannelAsync(string tenant, Uri url)
    {
        var id = ChannelStore.NewId();
        var now = Clock.GetUtcNow();
        var definition = new WebhookChannel(id, url, ChannelStore.SecretRefOf(id, ChannelSecretNames.SigningSecret));
        var written = await Services.GetRequiredService<ChannelStore>().CreateAsync(
            new ChannelDocument(id, tenant, "hook " + id, definition, new Dictionary<string, DateTimeOffset>(), now, now), Cancellation);
        Assert.True(written.Succeeded);
        await Services.GetRequiredService<IChannelSecretStore>().PutAsync(
            tenant, id, ChannelSecretNames.SigningSecret, "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)), Cancellation);
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        World.Dispose();
    }
}
