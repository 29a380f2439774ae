using System.IO.Compression;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;
using TokenTally.Application.Telemetry;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Ingestion;

/// <summary>
/// The answer to a batch: <c>created</c> new ids, <c>updated</c> known ids whose content changed (the new content replaced
/// the old), <c>duplicates</c> known ids sent again unchanged; <c>rejected</c> lists every rejected record by index with all
/// its field errors.
/// </summary>
public sealed record IngestResponse(int Accepted, int Created, int Updated, int Duplicates, int Unpriced, IReadOnlyList<RejectedRecord> Rejected, IReadOnlyList<AssignedId> AssignedIds);

/// <summary>
/// POST /api/v1/events: a JSON array, <c>{"events": [...]}</c> or NDJSON, optionally gzip. 200 when
/// every record is accepted, 207 when some are (the body says which were not), 400 when none is,
/// 403 when every rejection is a write outside the key's project.
/// </summary>
public static class EventsApi
{
    public const string RateLimitPolicy = "per-key";

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/events", IngestAsync)
            .WithName("IngestEvents")
            .WithSummary("Accepts a batch of call records (JSON array, {\"events\": [...]}, or NDJSON; gzip allowed).")
            .WithTags("Ingestion")
            .RequireAuthorization(Policies.Ingest)
            .RequireRateLimiting(RateLimitPolicy)
            .Produces<IngestResponse>(StatusCodes.Status200OK)
            .Produces<IngestResponse>(StatusCodes.Status207MultiStatus)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        return app;
    }

    public static async Task<Results<Ok<IngestResponse>, JsonHttpResult<IngestResponse>, ProblemHttpResult>> IngestAsync(
        HttpRequest request, Caller caller, IngestionService ingestion, IOptions<IngestionOptions> options, CancellationToken cancellationToken)
    {
        var key = new IntakeKey(caller.RequiredTenant, caller.Project!);
        var limits = options.Value;
        if (FormatOf(request.ContentType) is not { } format)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"Content-Type '{request.ContentType}' is not accepted: send application/json (an array or {{\"events\": [...]}}) or application/x-ndjson.");
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        if (encoding.Length > 0 && !encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase) && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content encoding", $"Content-Encoding '{encoding}' is not accepted; use gzip or none.");
        }

        var body = await ReadBodyAsync(request, encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase), limits.MaxBodyBytes, cancellationToken);
        if (body.Error is { } bodyError)
        {
            return bodyError;
        }

        var batch = ingestion.Read(key, body.Bytes, format, limits.MaxEventsPerBatch);
        if (batch.Error is { } readError)
        {
            return Problem(StatusCodes.Status400BadRequest, "Unreadable batch", readError);
        }

        if (batch.RecordCount > limits.MaxEventsPerBatch)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Batch too large", $"The batch holds {batch.RecordCount} records; the limit is {limits.MaxEventsPerBatch}. Split it.");
        }

        var result = await ingestion.IngestAsync(key, batch.Records, Intake.Http, cancellationToken);
        if (result.ProjectGone)
        {
            return Problem(StatusCodes.Status403Forbidden, "Project gone", $"This key's project {key.Tenant}/{key.Project} no longer exists.");
        }

        var response = new IngestResponse(result.Accepted, result.Created, result.Updated, result.Duplicates, result.Unpriced, result.Rejected, result.AssignedIds);
        if (result.Accepted == 0)
        {
            var status = result.OnlyForbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            return TypedResults.Problem(
                title: result.OnlyForbidden ? "Records outside the key's project" : "No valid records",
                detail: $"All {result.Rejected.Count} records were rejected; see 'rejected' for each record's errors.",
                statusCode: status,
                extensions: new Dictionary<string, object?> { ["accepted"] = 0, ["rejected"] = result.Rejected });
        }

        return result.Rejected.Count == 0
            ? TypedResults.Ok(response)
            : TypedResults.Json(response, statusCode: StatusCodes.Status207MultiStatus);
    }

    private static BatchFormat? FormatOf(string? contentType)
    {
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/json" => BatchFormat.Json,
            "application/x-ndjson" or "application/ndjson" or "application/jsonl" or "application/x-jsonlines" => BatchFormat.NdJson,
            _ => null,
        };
    }

    private static async Task<(ReadOnlyMemory<byte> Bytes, ProblemHttpResult? Error)> ReadBodyAsync(HttpRequest request, bool gzip, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit && !gzip)
        {
            return (default, TooLarge(limit));
        }

        Stream source = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        await using (source)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            try
            {
                int read;
                while ((read = await source.ReadAsync(chunk, cancellationToken)) > 0)
                {
                    // Checked while reading, so a small gzip bomb cannot inflate past the limit.
                    if (buffer.Length + read > limit)
                    {
                        return (default, TooLarge(limit));
                    }

                    buffer.Write(chunk.AsSpan(0, read));
                }
            }
            catch (InvalidDataException)
            {
                return (default, Problem(StatusCodes.Status400BadRequest, "Corrupt gzip body", "Content-Encoding is gzip but the body is not valid gzip data."));
            }

            return (buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
        }
    }

    private static ProblemHttpResult TooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body exceeds {limit:N0} bytes (after decompression). Send smaller batches.");

    private static ProblemHttpResult Problem(int status, string title, string detail) => TypedResults.Problem(title: title, detail: detail, statusCode: status);
}
