using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Application.Calls;
using TokenTally.Core.Calls;
using TokenTally.Storage.Blobs;

namespace TokenTally.Application.Pipeline;

/// <summary>
/// Writes a tenant-hour's call records as <c>archive/tenant/yyyy/MM/dd/HH.ndjson.gz</c>, sorted, so the same calls always
/// give the same bytes and a rerun overwrites with the same blob; an hour left with no calls loses its blob.
/// </summary>
public sealed class HourArchive(CallRecordStore calls, IBlobStore blobs)
{
    public static string BlobName(string tenant, DateTimeOffset hour) =>
        string.Create(CultureInfo.InvariantCulture, $"{tenant}/{hour.UtcDateTime:yyyy/MM/dd/HH}.ndjson.gz");

    /// <summary>Archives the hour; returns how many calls the blob holds.</summary>
    public async Task<int> WriteAsync(string tenant, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var records = new List<StoredCall>();
        await foreach (var call in calls.ReadHourAsync(tenant, hour, cancellationToken))
        {
            records.Add(call);
        }

        if (records.Count == 0)
        {
            await blobs.DeleteAsync(BlobContainer.Archive, BlobName(tenant, hour), cancellationToken);
            return 0;
        }

        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var call in records.OrderBy(c => c.Event.Timestamp).ThenBy(c => c.Event.Id, StringComparer.Ordinal))
            {
                await JsonSerializer.SerializeAsync(gzip, call, TokenTallyJson.Options, cancellationToken);
                gzip.WriteByte((byte)'\n');
            }
        }

        await blobs.PutAsync(BlobContainer.Archive, BlobName(tenant, hour), buffer.ToArray(), overwrite: true, cancellationToken);
        return records.Count;
    }
}
