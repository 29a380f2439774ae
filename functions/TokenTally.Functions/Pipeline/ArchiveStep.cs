using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using TokenTally.Core.Pipeline;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Projects;
using TokenTally.Storage.Blobs;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Functions.Pipeline;

/// <summary>
/// Writes each tenant's call records of the run's hour (and the late-data window) as NDJSON.gz to
/// the archive, overwriting, so reruns are harmless; in local mode it also deletes expired records
/// (Cosmos DB's TTL does that in Azure).
/// </summary>
public sealed class ArchiveStep(
    ProjectStore projects,
    CallRecordStore calls,
    IBlobStore blobs,
    HostingEnvironment hosting,
    IServiceProvider services,
    Microsoft.Extensions.Options.IOptions<PipelineOptions> options) : IPipelineStep
{
    public string Name => PipelineSteps.Archive;

    public static string BlobName(string tenant, DateTimeOffset hour) =>
        string.Create(CultureInfo.InvariantCulture, $"{tenant}/{hour.UtcDateTime:yyyy/MM/dd/HH}.ndjson.gz");

    public async Task RunAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        foreach (var tenant in await projects.ListTenantsAsync(cancellationToken))
        {
            for (var late = options.Value.LateDataHours; late >= 0; late--)
            {
                await ArchiveAsync(tenant, hour.AddHours(-late), cancellationToken);
            }
        }

        if (hosting.IsLocal)
        {
            await services.GetRequiredService<SqliteDocumentStore>().PurgeExpiredAsync(cancellationToken);
        }
    }

    private async Task ArchiveAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var count = 0;
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            // Sorted, so the same calls always give the same bytes.
            var records = new List<StoredCall>();
            await foreach (var call in calls.ReadHourAsync(tenant, hour, cancellationToken))
            {
                records.Add(call);
            }

            foreach (var call in records.OrderBy(c => c.Event.Timestamp).ThenBy(c => c.Event.Id, StringComparer.Ordinal))
            {
                await JsonSerializer.SerializeAsync(gzip, call, CallRecordStore.Json, cancellationToken);
                gzip.WriteByte((byte)'\n');
                count++;
            }
        }

        if (count > 0)
        {
            await blobs.PutAsync(BlobContainer.Archive, BlobName(tenant, hour), buffer.ToArray(), overwrite: true, cancellationToken);
        }
    }
}
