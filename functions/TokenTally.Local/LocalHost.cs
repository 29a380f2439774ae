using System.Net;
using Microsoft.Extensions.Options;
using TokenTally.Application.Health;
using TokenTally.Application.Hosting;
using TokenTally.Local.Durable;
using TokenTally.Local.Scheduling;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Local;

/// <summary>
/// Local mode: the application on a web app bound to 127.0.0.1, with SQLite and files under TokenTally:Local:DataPath, the
/// pipeline's orchestrations on an in-process Durable Task backend, and the hourly run started on its NCRONTAB schedule.
/// </summary>
public static class LocalHost
{
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        LocalSettingsFile.AddTo(builder.Configuration);

        // Read before the host is built: Kestrel needs the port, and a bad value must stop start-up with its setting's name.
        var local = builder.Configuration.GetSection(LocalOptions.Section).Get<LocalOptions>() ?? new LocalOptions();
        if (new LocalOptionsValidator().Validate(null, local) is { Failed: true } invalid)
        {
            throw new OptionsValidationException(LocalOptions.Section, typeof(LocalOptions), invalid.Failures);
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, local.Port));
        builder.Services.AddOptions<LocalOptions>().BindConfiguration(LocalOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LocalOptions>, LocalOptionsValidator>();
        builder.Services.AddTokenTallyApplication();
        builder.Services.AddSingleton(new HostInfo("local"));
        builder.Services.AddLocalStores();
        builder.Services.AddInProcessDurableTask();
        builder.Services.AddHostedService<AdminKeyBootstrap>();
        builder.Services.AddHostedService<HourlyRunTimer>();
        builder.AddLocalTelemetry();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();

        // Options validated on start are checked now, so that a bad value stops start-up here with its setting's name, before
        // the host starts and logs the failure with a stack trace.
        app.Services.GetService<IStartupValidator>()?.Validate();

        // Likewise a data folder this build cannot read.
        app.Services.GetRequiredService<SqliteDocumentStore>().EnsureCreatedAsync(CancellationToken.None).GetAwaiter().GetResult();

        app.UseForgedSignInHeadersRemoved();
        app.UseTokenTallyApi();
        app.MapGet("/", () => TypedResults.Ok(new { name = "TokenTally", health = "/api/health", openApi = OpenApiSetup.Route })).ExcludeFromDescription();
        app.MapTokenTallyApi();
        return app;
    }
}
