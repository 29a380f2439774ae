using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TokenTally.Functions.Ingestion.Lag;

public static class IntakeLagSetup
{
    /// <summary>The intake's consumer lag in the health report, when the app reads a hub (in Azure): see <see cref="IntakeConnection"/>.</summary>
    public static IServiceCollection AddIntakeLag(this IServiceCollection services)
    {
        services.AddOptions<IntakeLagOptions>().BindConfiguration(IntakeLagOptions.Section)
            .Validate(o => o.MaxEventsBehind > 0, $"{IntakeLagOptions.Section}:MaxEventsBehind must be 1 or more (app setting TokenTally__IntakeLag__MaxEventsBehind).")
            .Validate<IConfiguration>(
                (_, configuration) => IntakeConnection.From(configuration) is not { HasStorage: false },
                $"{IntakeConnection.StorageSetting} (a connection string), {IntakeConnection.StorageSetting}__blobServiceUri or {IntakeConnection.StorageSetting}__accountName is needed to read the intake's checkpoints.")
            .ValidateOnStart();
        services.AddSingleton<IntakeLagCheck>();
        services.AddSingleton<IIntakePositions>(sp =>
        {
            var connection = IntakeConnection.From(sp.GetRequiredService<IConfiguration>())
                ?? throw new InvalidOperationException($"The intake's positions are read only when {IngestEventsFunction.EventHubNameSetting} and {IngestEventsFunction.Connection} are set.");
            return new EventHubIntakePositions(connection.CreateConsumer(), new CheckpointBlobs(connection.CreateCheckpointContainer()));
        });
        services.AddOptions<HealthCheckServiceOptions>().Configure<IConfiguration>((health, configuration) =>
        {
            if (IntakeConnection.From(configuration) is not null)
            {
                health.Registrations.Add(new HealthCheckRegistration(IntakeLagCheck.Name, sp => sp.GetRequiredService<IntakeLagCheck>(), HealthStatus.Degraded, tags: null, timeout: TimeSpan.FromSeconds(10)));
            }
        });
        return services;
    }
}
