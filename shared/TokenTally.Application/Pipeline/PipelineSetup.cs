using Microsoft.Extensions.Options;
using TokenTally.Application.Export;

namespace TokenTally.Application.Pipeline;

public static class PipelineSetup
{
    /// <summary>The hour run's activities and the starter; each host adds a Durable Task worker and client of its own.</summary>
    public static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section)
            .Validate(o => o.MaxChangedHoursPerRun >= 1, "TokenTally:Pipeline:MaxChangedHoursPerRun must be at least 1.")
            .Validate(o => o.FallbackHours is >= 0 and <= 48, "TokenTally:Pipeline:FallbackHours must be 0-48.")
            .Validate(o => o.MaxParallelism is >= 1 and <= 64, "TokenTally:Pipeline:MaxParallelism must be 1-64.")
            .Validate(o => o.ActivityAttempts is >= 1 and <= 10, "TokenTally:Pipeline:ActivityAttempts must be 1-10.")
            .Validate(o => o.FirstRetryInterval > TimeSpan.Zero && o.FirstRetryInterval <= TimeSpan.FromMinutes(1), "TokenTally:Pipeline:FirstRetryInterval must be more than 0 and at most 00:01:00.")
            .Validate(o => o.MaxBackfillHours >= 1, "TokenTally:Pipeline:MaxBackfillHours must be at least 1.")
            .PostConfigure<IOptions<LogsIngestionOptions>>((pipeline, export) => pipeline.ExportRollups = export.Value.Enabled)
            .ValidateOnStart();
        services.AddRollupExport();
        services.AddSingleton<HourArchive>();
        services.AddSingleton<PipelineActivities>();
        services.AddSingleton<HourRunStarter>();
        return services;
    }
}
