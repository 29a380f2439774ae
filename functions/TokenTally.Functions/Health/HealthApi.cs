using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Pricing;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Queues;

namespace TokenTally.Functions.Health;

public sealed record DependencyHealth(string Status, double DurationMs, string? Detail);

/// <summary>The catalog in use and how many calls (all tenants) could not be priced today.</summary>
public sealed record PricingHealth(string CatalogVersion, int Models, long UnpricedCallsToday);

public sealed record HealthReport(string Status, string Mode, string Version, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyHealth> Dependencies, PricingHealth? Pricing);

/// <summary>GET /api/health: the mode, the version, and whether each dependency works right now.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealthAsync)
            .WithName("GetHealth")
            .WithSummary("Mode, version and the state of each dependency (store reachable, archive writable, queue reachable).")
            .WithTags("Health")
            .AllowAnonymous();
        return app;
    }

    public static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> GetHealthAsync(
        [AsParameters] HealthDependencies dependencies, HostingEnvironment hosting, TimeProvider time, CancellationToken cancellationToken)
    {
        var (store, blobs, queue, pricer, unpriced) = dependencies;
        var checks = await Task.WhenAll(
            CheckAsync("store", async ct => await store.GetAsync(DocumentContainer.Config, "_system", "health-probe", ct), cancellationToken),
            CheckAsync("archive", async ct =>
            {
                var probe = $"_health/{Guid.NewGuid():N}.probe";
                await blobs.PutAsync(BlobContainer.Archive, probe, "ok"u8.ToArray(), overwrite: true, ct);
                await blobs.DeleteAsync(BlobContainer.Archive, probe, ct);
            }, cancellationToken),
            CheckAsync("queue", async ct => await queue.CountAsync(HealthProbeQueue, ct), cancellationToken));

        var healthy = checks.All(c => c.Health.Status == "healthy");
        PricingHealth? pricing = null;
        if (checks[0].Health.Status == "healthy")
        {
            var today = await unpriced.GetAsync(UnpricedCounter.SystemPartition, time.GetUtcNow(), cancellationToken);
            pricing = new PricingHealth(pricer.Catalog.Version, pricer.Catalog.Models.Count, today.Calls);
        }

        var report = new HealthReport(healthy ? "healthy" : "unhealthy", hosting.ModeName, HostingEnvironment.Version, time.GetUtcNow(), checks.ToDictionary(c => c.Name, c => c.Health), pricing);
        return healthy ? TypedResults.Ok(report) : TypedResults.Json(report, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>What the health check probes.</summary>
    public sealed record HealthDependencies(IDocumentStore Store, IBlobStore Blobs, IMessageQueue Queue, CallPricer Pricer, UnpricedCounter Unpriced)
    {
        public void Deconstruct(out IDocumentStore store, out IBlobStore blobs, out IMessageQueue queue, out CallPricer pricer, out UnpricedCounter unpriced) =>
            (store, blobs, queue, pricer, unpriced) = (Store, Blobs, Queue, Pricer, Unpriced);
    }

    public const string HealthProbeQueue = "tokentally-health";

    private static async Task<(string Name, DependencyHealth Health)> CheckAsync(string name, Func<CancellationToken, Task> probe, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        var started = Stopwatch.GetTimestamp();
        try
        {
            await probe(timeout.Token);
            return (name, new DependencyHealth("healthy", Elapsed(started), null));
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // The dependency's own message (status code, error code) — never a connection string or key.
            return (name, new DependencyHealth("unhealthy", Elapsed(started), $"{e.GetType().Name}: {e.Message}"));
        }
    }

    private static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1);
}
