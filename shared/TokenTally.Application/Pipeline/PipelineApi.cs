using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using TokenTally.Application.Calls;
using TokenTally.Application.Projects;
using TokenTally.Core.Rollups;

namespace TokenTally.Application.Pipeline;

/// <summary>A backfill to start: every hour of [from, to), repriced first when <paramref name="Reprice"/>.</summary>
public sealed record BackfillRequest(DateTimeOffset? From, DateTimeOffset? To, bool Reprice = false);

public sealed record BackfillAccepted(string Id, DateTimeOffset From, DateTimeOffset To, int Hours, bool Reprice, string Status);

/// <summary>Pipeline control (admin key): start a backfill, and see runs and their steps.</summary>
public static class PipelineApi
{
    /// <summary>The runs listed when no window is given: those created in the last 48 hours.</summary>
    public static readonly TimeSpan DefaultListWindow = TimeSpan.FromHours(48);

    public static IEndpointRouteBuilder MapPipelineApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/pipeline/runs").WithTags("Pipeline").RequireAuthorization(Policies.Admin);
        group.MapPost("/", StartBackfillAsync).WithName("StartBackfill")
            .WithSummary("Starts a backfill: every hour of [from, to) within retention is rolled up again for every tenant (repriced first with reprice: true).");
        group.MapGet("/", ListAsync).WithName("ListRuns")
            .WithSummary("Hourly runs and backfills created in [from, to) (default: the last 48 hours), newest first, with each step's outcome.");
        group.MapGet("/{id}", GetAsync).WithName("GetRun").WithSummary("One run (hourly-yyyyMMddHH, a backfill, or one hour of a backfill).");
        return app;
    }

    public static async Task<Results<Accepted<BackfillAccepted>, ValidationProblem>> StartBackfillAsync(
        BackfillRequest request, DurableTaskClient client, IOptions<PipelineOptions> pipeline, IOptions<LedgerOptions> ledger, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.From is null)
        {
            errors["from"] = ["from is required: an ISO 8601 time, rounded down to the hour."];
        }

        if (request.To is null)
        {
            errors["to"] = ["to is required: an ISO 8601 time, rounded up to the hour."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = time.GetUtcNow();
        var oldest = TimeBuckets.HourStart(now - ledger.Value.Retention).AddHours(1);
        var from = TimeBuckets.HourStart(request.From!.Value);
        var to = TimeBuckets.HourStart(request.To!.Value.AddTicks(-1)).AddHours(1);
        var hours = (int)(to - from).TotalHours;
        if (from < oldest)
        {
            errors["from"] = [$"from must be within the {ledger.Value.RetentionDays}-day retention (at or after {oldest:O}): older hours have no calls left, and recomputing them would erase their rollups."];
        }

        if (hours <= 0)
        {
            errors["to"] = ["to must be after from."];
        }
        else if (hours > pipeline.Value.MaxBackfillHours)
        {
            errors["to"] = [$"A backfill covers at most {pipeline.Value.MaxBackfillHours} hours; this one covers {hours}."];
        }
        else if (to > TimeBuckets.HourStart(now).AddHours(1))
        {
            errors["to"] = [$"to must not be later than the end of the current hour ({TimeBuckets.HourStart(now).AddHours(1):O})."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var id = Backfill.NewInstanceId(from, to);
        await client.ScheduleNewOrchestrationInstanceAsync(Backfill.Name, new BackfillInput(from, to, request.Reprice, pipeline.Value.ToRunSettings()), new StartOrchestrationOptions(id), cancellationToken);
        return TypedResults.Accepted($"/api/v1/pipeline/runs/{id}", new BackfillAccepted(id, from, to, hours, request.Reprice, $"/api/v1/pipeline/runs/{id}"));
    }

    public static async Task<Ok<IReadOnlyList<RunView>>> ListAsync(DateTimeOffset? from, DateTimeOffset? to, DurableTaskClient client, TimeProvider time, CancellationToken cancellationToken)
    {
        var end = to ?? time.GetUtcNow().AddMinutes(1);
        return TypedResults.Ok(await PipelineRuns.ListAsync(client, from ?? end - DefaultListWindow, end, cancellationToken));
    }

    public static async Task<Results<Ok<RunView>, ProblemHttpResult>> GetAsync(string id, DurableTaskClient client, CancellationToken cancellationToken) =>
        await PipelineRuns.GetAsync(client, id, cancellationToken) is { } run
            ? TypedResults.Ok(run)
            : TypedResults.Problem(title: "Not found", detail: $"No run '{id}'. Runs are hourly-yyyyMMddHH or the id a backfill answered with.", statusCode: StatusCodes.Status404NotFound);
}
