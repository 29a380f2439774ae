using Microsoft.AspNetCore.Http.HttpResults;
using TokenTally.Core.Pipeline;
using TokenTally.Core.Rollups;
using TokenTally.Functions.Projects;
using TokenTally.Storage.Queues;

namespace TokenTally.Functions.Pipeline;

public sealed record BackfillRequest(DateTimeOffset? From, DateTimeOffset? To, bool Reprice);

public sealed record BackfillAccepted(DateTimeOffset From, DateTimeOffset To, int Hours, bool Reprice, string Queue);

/// <summary>Pipeline control: backfill a range of hours, and see every run's status.</summary>
public static class PipelineApi
{
    public const int MaxBackfillHours = 24 * 62;

    public static IEndpointRouteBuilder MapPipelineApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pipeline/runs").WithTags("Pipeline").RequireAuthorization(Policies.Admin);
        group.MapPost("/", BackfillAsync).WithName("StartBackfill")
            .WithSummary("Queues one work item per hour of [from, to); with reprice, each hour's calls are priced again first.");
        group.MapGet("/", ListAsync).WithName("ListRuns").WithSummary("Runs whose hour lies in [from, to) (default: the last 48 hours), newest first.");
        group.MapGet("/{id}", GetAsync).WithName("GetRun");
        return app;
    }

    public static async Task<Results<Accepted<BackfillAccepted>, ValidationProblem>> BackfillAsync(BackfillRequest request, IMessageQueue queue, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.From is null)
        {
            errors["from"] = ["from is required (an ISO 8601 time; rounded down to the hour)."];
        }

        if (request.To is null)
        {
            errors["to"] = ["to is required (an ISO 8601 time; rounded up to the hour)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var from = TimeBuckets.HourStart(request.From!.Value);
        var to = TimeBuckets.HourStart(request.To!.Value.AddTicks(-1)).AddHours(1);
        var hours = (int)(to - from).TotalHours;
        if (hours <= 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["to must be after from."] });
        }

        if (hours > MaxBackfillHours)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = [$"A backfill covers at most {MaxBackfillHours} hours; this one covers {hours}."] });
        }

        await PipelineWorkerFunction.QueueHoursAsync(queue, from, to, request.Reprice, cancellationToken);
        return TypedResults.Accepted("/api/v1/pipeline/runs", new BackfillAccepted(from, to, hours, request.Reprice, PipelineWorkerFunction.QueueName));
    }

    public static async Task<Ok<IReadOnlyList<PipelineRun>>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, PipelineRunStore runs, TimeProvider time, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow().AddHours(1);
        return TypedResults.Ok(await runs.ListAsync(from ?? end.AddHours(-48), end, cancellationToken));
    }

    public static async Task<Results<Ok<PipelineRun>, ProblemHttpResult>> GetAsync(string id, PipelineRunStore runs, CancellationToken cancellationToken)
    {
        if (!DateTimeOffset.TryParseExact(id + ":00:00Z", "yyyy-MM-dd'T'HH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal, out var hour))
        {
            return TypedResults.Problem(title: "Not found", detail: $"'{id}' is not a run id; run ids are hours like 2026-11-20T09.", statusCode: StatusCodes.Status404NotFound);
        }

        return await runs.GetAsync(hour, cancellationToken) is { } run
            ? TypedResults.Ok(run.Run)
            : TypedResults.Problem(title: "Not found", detail: $"No run for {id}.", statusCode: StatusCodes.Status404NotFound);
    }
}
