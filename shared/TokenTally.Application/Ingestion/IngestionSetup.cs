using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;

namespace TokenTally.Application.Ingestion;

public static class IngestionSetup
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.Section)
            .Validate(o => o.MaxBodyBytes > 0 && o.MaxEventsPerBatch > 0, "TokenTally:Ingestion:MaxBodyBytes and MaxEventsPerBatch must be positive.")
            .Validate(o => o.RequestsPerSecondPerKey > 0 && o.BurstPerKey >= o.RequestsPerSecondPerKey, "TokenTally:Ingestion:RequestsPerSecondPerKey must be positive and BurstPerKey at least as large.")
            .ValidateOnStart();
        services.AddSingleton<DeadLetters>();
        services.AddSingleton<IngestionService>();
        services.AddSingleton<EventHubIntake>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(EventsApi.RateLimitPolicy, context =>
            {
                var ingestion = context.RequestServices.GetRequiredService<IOptions<IngestionOptions>>().Value;
                var key = ApiKeyAuthenticationHandler.KeyFrom(context.Request) is { } presented ? ProjectStore.KeyIdOf(presented) ?? "malformed" : "anonymous";
                return RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = ingestion.BurstPerKey,
                    TokensPerPeriod = ingestion.RequestsPerSecondPerKey,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await Results.Problem(
                    title: "Too many requests",
                    detail: $"This API key is over its rate limit; retry after {retryAfter} s.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    public static IEndpointRouteBuilder MapIngestionApi(this IEndpointRouteBuilder app)
    {
        app.MapEventsApi();
        app.MapGet("/api/v1/schema/call-event.json", () => TypedResults.Stream(
                typeof(IngestionSetup).Assembly.GetManifestResourceStream("call-event.schema.json")!, "application/schema+json"))
            .WithName("GetCallEventSchema")
            .WithSummary("The JSON Schema of the call record (v1).")
            .WithTags("Ingestion")
            .AllowAnonymous();
        return app;
    }
}
