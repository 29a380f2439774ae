using Azure.Identity;
using Azure.Messaging.EventHubs.Producer;
using Microsoft.Extensions.Options;
using TokenTally.Demo;
using TokenTally.Demo.EventHubs;

var builder = Host.CreateApplicationBuilder(args);
TokenTally.Local.LocalSettingsFile.AddTo(builder.Configuration);
builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
builder.Services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section)
    .PostConfigure<IConfiguration>((demo, configuration) =>
    {
        demo.ServerUrl ??= $"http://127.0.0.1:{configuration["TokenTally:Local:Port"] ?? "7071"}";
        demo.DataPath ??= configuration["TokenTally:Local:DataPath"] ?? "./.data";
    })
    .Validate(o => Uri.TryCreate(o.ServerUrl, UriKind.Absolute, out _), "TokenTally:Demo:ServerUrl must be an absolute URL.")
    .Validate(o => o.Seed >= 0, "TokenTally:Demo:Seed must be 0 or more.")
    .Validate(o => o.BackfillDays is >= 0 and < 30, "TokenTally:Demo:BackfillDays must be 0-29 (within the ledger's 30-day retention).")
    .Validate(o => o.BackfillCallsPerDay is > 0 and <= 1_000_000, "TokenTally:Demo:BackfillCallsPerDay must be 1-1000000.")
    .Validate(o => o.LiveCallsPerSecond is null or (>= 0 and <= 1_000), "TokenTally:Demo:LiveCallsPerSecond must be empty (the history's rate) or 0-1000.")
    .Validate(
        o => string.IsNullOrWhiteSpace(o.EventHubs.FullyQualifiedNamespace) || string.IsNullOrWhiteSpace(o.EventHubs.ConnectionString),
        $"Set {DemoEventHubOptions.Section}:FullyQualifiedNamespace or {DemoEventHubOptions.Section}:ConnectionString, not both.")
    .Validate(
        o => string.IsNullOrWhiteSpace(o.EventHubs.FullyQualifiedNamespace) || Uri.CheckHostName(o.EventHubs.FullyQualifiedNamespace) == UriHostNameType.Dns,
        $"{DemoEventHubOptions.Section}:FullyQualifiedNamespace must be a host name such as <namespace>.servicebus.windows.net.")
    .Validate(
        o => !o.EventHubs.IsConfigured || !string.IsNullOrWhiteSpace(o.EventHubs.EventHubName),
        $"{DemoEventHubOptions.Section}:EventHubName is required when the demo publishes to an Event Hub.")
    .ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<DemoProgress>();
builder.Services.AddHttpClient<DemoClient>((sp, http) =>
{
    http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<DemoOptions>>().Value.ServerUrl!);
    http.Timeout = TimeSpan.FromMinutes(2);
});
if (builder.Configuration.GetSection(DemoEventHubOptions.Section).Get<DemoEventHubOptions>() is { IsConfigured: true })
{
    builder.Services.AddSingleton(sp =>
    {
        var hub = sp.GetRequiredService<IOptions<DemoOptions>>().Value.EventHubs;
        return string.IsNullOrWhiteSpace(hub.ConnectionString)
            ? new EventHubProducerClient(hub.FullyQualifiedNamespace, hub.EventHubName, new DefaultAzureCredential())
            : new EventHubProducerClient(hub.ConnectionString, hub.EventHubName);
    });
    builder.Services.AddSingleton<EventBatchPublisher>();
    builder.Services.AddSingleton<DemoEventHubSink>();
}

builder.Services.AddHostedService<DemoTrafficService>();

try
{
    using var host = builder.Build();

    // Settings are checked before the host starts, which would log a bad one with a stack trace first.
    host.Services.GetService<IStartupValidator>()?.Validate();
    await host.RunAsync();
    return 0;
}
catch (OptionsValidationException invalid)
{
    await Console.Error.WriteLineAsync($"The demo did not start: {string.Join(" ", invalid.Failures)}");
    return 1;
}
catch (InvalidOperationException binding) when (binding.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase))
{
    await Console.Error.WriteLineAsync($"The demo did not start: {binding.Message}{(binding.InnerException is { } inner ? " " + inner.Message : string.Empty)}");
    return 1;
}
