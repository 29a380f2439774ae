using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Health;

/// <summary>The liveness answer.</summary>
public sealed record Liveness(string Status);

/// <summary>What an anonymous caller learns: whether the app can serve (healthy, degraded or unhealthy), and its version.</summary>
public sealed record HealthSummary(string Status, string Version, DateTimeOffset CheckedAt);

/// <summary>A dependency's state; <paramref name="Data"/> holds the figures a check reports beside it (such as the intake's lag per partition).</summary>
public sealed record DependencyHealth(string Status, double DurationMs, string? Detail, IReadOnlyDictionary<string, object>? Data);

/// <summary>The catalog in use and how many calls (all tenants) could not be priced today (UTC).</summary>
public sealed record PricingHealth(string CatalogVersion, int Models, long UnpricedCallsToday);

/// <summary>What the admin learns: the host, each dependency with its reason when it fails, and pricing.</summary>
public sealed record HealthReportView(string Status, string Host, string Version, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyHealth> Dependencies, PricingHealth? Pricing);

/// <summary>Which host serves the API: <c>local</c> or <c>functions</c>.</summary>
public sealed record HostInfo(string Name);

/// <summary>
/// Health: <c>/api/health/live</c> (the process answers), <c>/api/health</c> (ready: the store answers a read and the
/// archive takes a write; anonymous, so it says healthy, degraded or unhealthy and nothing more; only unhealthy answers 503),
/// and <c>/api/v1/admin/health</c> with every dependency's state, reason and figures for the admin key.
/// </summary>
public static class HealthApi
{
    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddSingleton<ArchiveCheck>();
        services.AddHealthChecks()
            .AddCheck<DocumentStoreCheck>("store", timeout: TimeSpan.FromSeconds(5))
            .AddCheck<ArchiveCheck>("archive", timeout: TimeSpan.FromSeconds(5));
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health/live", () => TypedResults.Ok(new Liveness("alive")))
            .WithName("GetLiveness").WithSummary("Answers while the process runs; checks nothing.").WithTags("Health").AllowAnonymous();
        app.MapGet("/api/health", GetReadinessAsync)
            .WithName("GetHealth").WithSummary("200 when the store and the archive answer, 503 otherwise; no details (see /api/v1/admin/health).").WithTags("Health").AllowAnonymous();
        app.MapGet("/api/v1/admin/health", GetDetailsAsync)
            .WithName("GetHealthDetails").WithSummary("Every dependency's state, time and failure reason, the host, and pricing health.").WithTags("Admin").RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<Results<Ok<HealthSummary>, JsonHttpResult<HealthSummary>>> GetReadinessAsync(HealthCheckService health, TimeProvider time, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var summary = new HealthSummary(StatusText(report.Status), ProductVersion.Value, time.GetUtcNow());
        return report.Status == HealthStatus.Unhealthy ? TypedResults.Json(summary, statusCode: StatusCodes.Status503ServiceUnavailable) : TypedResults.Ok(summary);
    }

    public static async Task<Ok<HealthReportView>> GetDetailsAsync(HealthCheckService health, HostInfo host, CallPricer pricer, UnpricedCounter unpriced, TimeProvider time, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var dependencies = report.Entries.ToDictionary(
            e => e.Key,
            e => new DependencyHealth(StatusText(e.Value.Status), Math.Round(e.Value.Duration.TotalMilliseconds, 1),
                e.Value.Exception is { } failure ? $"{e.Value.Description} {failure.GetType().Name}: {failure.Message}".TrimStart() : e.Value.Description,
                e.Value.Data.Count > 0 ? e.Value.Data : null));
        PricingHealth? pricing = null;
        if (report.Entries.TryGetValue("store", out var store) && store.Status == HealthStatus.Healthy)
        {
            var today = await unpriced.GetAsync(UnpricedCounter.SystemPartition, time.GetUtcNow(), cancellationToken);
            pricing = new PricingHealth(pricer.Catalog.Version, pricer.Catalog.Models.Count, today.Calls);
        }

        return TypedResults.Ok(new HealthReportView(StatusText(report.Status), host.Name, ProductVersion.Value, time.GetUtcNow(), dependencies, pricing));
    }

    private static string StatusText(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private sealed class DocumentStoreCheck(IDocumentStore store) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // Every container: in Azure they live in different services (Table Storage, Cosmos DB).
            foreach (var container in Enum.GetValues<DocumentContainer>())
            {
                await store.GetAsync(container, "_system", "health-probe", cancellationToken);
            }

            return HealthCheckResult.Healthy("Every document container answered a point read.");
        }
    }

    /// <summary>Writes a probe blob at most once a minute, whatever the rate of health requests, and answers with that result in between.</summary>
    private sealed class ArchiveCheck(IBlobStore blobs, TimeProvider time) : IHealthCheck
    {
        private readonly ProbeThrottle _throttle = new(TimeSpan.FromMinutes(1), time);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            _throttle.CheckAsync(ProbeAsync, cancellationToken);

        private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
        {
            try
            {
                await blobs.PutAsync(BlobContainer.Archive, "_health/probe", "ok"u8.ToArray(), overwrite: true, cancellationToken);
                return HealthCheckResult.Healthy("The archive took a write.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The archive refused a write.", e);
            }
        }
    }
}
