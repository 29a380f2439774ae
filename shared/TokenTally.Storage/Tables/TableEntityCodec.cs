using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using TokenTally.Storage.Documents;

namespace TokenTally.Storage.Tables;

/// <summary>
/// How a document becomes a table entity and back, within the service's limits: keys escaped and at most 1 KiB, the JSON
/// data split over string properties of at most 64 KiB, the whole entity at most 1 MiB. A document that does not fit is
/// refused by name, never truncated.
/// </summary>
internal static class TableEntityCodec
{
    public const string RangeKey = "rk";
    public const string Hash = "h";
    public const string Lineage = "lineage";
    public const string Touched = "touched";
    public const string TimeToLive = "ttl";
    public const string ExpiresAt = "exp";
    public const string LookupKey = "lk";

    /// <summary>The service stores a string property in at most 64 KiB of UTF-16.</summary>
    public const int MaxCharsPerProperty = 32 * 1024;

    /// <summary>The service's entity limit, counted as it counts (keys, property names and values in UTF-16, per-property overhead).</summary>
    public const int MaxEntityBytes = 1024 * 1024;

    /// <summary>PartitionKey and RowKey are at most 1 KiB each.</summary>
    public const int MaxKeyChars = 512;

    private const char Escape = '~';

    /// <summary>Properties <c>d</c>, <c>d1</c>, <c>d2</c>, … hold the JSON text in order.</summary>
    private static string DataProperty(int chunk) => chunk == 0 ? "d" : "d" + chunk.ToString(CultureInfo.InvariantCulture);

    public static TableEntity ToEntity(DocumentContainer container, DocumentWrite document, string? lineage, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(document.PartitionKey);
        ArgumentException.ThrowIfNullOrEmpty(document.Id);
        var entity = new TableEntity(EncodeKey(container, document, document.PartitionKey), EncodeKey(container, document, document.Id));
        var json = document.DataJson;
        var chunk = 0;
        for (var start = 0; start < json.Length; chunk++)
        {
            var length = Math.Min(MaxCharsPerProperty, json.Length - start);

            // A surrogate pair is never split across two properties.
            if (start + length < json.Length && char.IsHighSurrogate(json[start + length - 1]))
            {
                length--;
            }

            entity[DataProperty(chunk)] = json.Substring(start, length);
            start += length;
        }

        if (document.RangeKey is { } rangeKey)
        {
            entity[RangeKey] = rangeKey;
        }

        if (document.TimeToLive is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(document));
            var seconds = (long)Math.Ceiling(ttl.TotalSeconds);
            entity[TimeToLive] = seconds;
            entity[ExpiresAt] = now.AddSeconds(seconds);
        }

        if (document.ContentHash is { } hash)
        {
            entity[Hash] = hash;
        }

        if (lineage is not null)
        {
            entity[Lineage] = lineage;
        }

        // Kept so that the purge can delete the pointer of the key along with an expired document.
        if (document.LookupKey is { } lookupKey)
        {
            entity[LookupKey] = lookupKey;
        }

        var size = SizeOf(entity);
        if (size > MaxEntityBytes)
        {
            throw new DocumentTooLargeException(container, document.PartitionKey, document.Id,
                $"as a table entity it takes {size:N0} bytes, more than Table Storage's {MaxEntityBytes:N0}.");
        }

        return entity;
    }

    /// <summary>The document's JSON text, joined from its data properties.</summary>
    public static string DataOf(TableEntity entity)
    {
        var first = entity.GetString(DataProperty(0)) ?? "{}";
        if (!entity.ContainsKey(DataProperty(1)))
        {
            return first;
        }

        var json = new StringBuilder(first);
        for (var chunk = 1; entity.GetString(DataProperty(chunk)) is { } part; chunk++)
        {
            json.Append(part);
        }

        return json.ToString();
    }

    public static StoredDocument ToDocument(TableEntity entity) =>
        StoredDocument.FromJson(
            DecodeKey(entity.PartitionKey),
            DecodeKey(entity.RowKey),
            entity.GetString(RangeKey),
            DataOf(entity),
            entity.ETag.ToString(),
            entity.GetInt64(TimeToLive) is { } seconds ? TimeSpan.FromSeconds(seconds) : null);

    public static bool IsExpired(TableEntity entity, DateTimeOffset now) => entity.GetDateTimeOffset(ExpiresAt) is { } expiresAt && expiresAt <= now;

    /// <summary>
    /// Keys may not hold '/', '\', '#', '?' or control characters; each of those (and the escape '~' itself) becomes '~'
    /// and two hex digits, so any key round-trips.
    /// </summary>
    public static string EncodeKey(string key)
    {
        if (!key.AsSpan().ContainsAny(Unsafe) && !key.Any(char.IsControl))
        {
            return key;
        }

        var encoded = new StringBuilder(key.Length + 8);
        foreach (var c in key)
        {
            if (Unsafe.Contains(c) || char.IsControl(c))
            {
                encoded.Append(Escape).Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                encoded.Append(c);
            }
        }

        return encoded.ToString();
    }

    public static string DecodeKey(string key)
    {
        if (!key.Contains(Escape, StringComparison.Ordinal))
        {
            return key;
        }

        var decoded = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == Escape && i + 2 < key.Length && int.TryParse(key.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
            {
                decoded.Append((char)code);
                i += 2;
            }
            else
            {
                decoded.Append(key[i]);
            }
        }

        return decoded.ToString();
    }

    /// <summary>The entity's size as the service counts it: 4 bytes, the keys in UTF-16, and per property 8 bytes, its name and its value.</summary>
    public static int SizeOf(TableEntity entity)
    {
        var size = 4 + 2 * (entity.PartitionKey.Length + entity.RowKey.Length);
        foreach (var (name, value) in entity)
        {
            if (name is "PartitionKey" or "RowKey" or "odata.etag" or "Timestamp")
            {
                continue;
            }

            size += 8 + 2 * name.Length + value switch
            {
                string text => 4 + 2 * text.Length,
                bool => 1,
                Guid => 16,
                byte[] bytes => 4 + bytes.Length,
                _ => 8,
            };
        }

        return size;
    }

    private static string EncodeKey(DocumentContainer container, DocumentWrite document, string key)
    {
        var encoded = EncodeKey(key);
        return encoded.Length <= MaxKeyChars
            ? encoded
            : throw new DocumentTooLargeException(container, document.PartitionKey, document.Id,
                $"a key of {encoded.Length} characters is longer than Table Storage's {MaxKeyChars} (1 KiB).");
    }

    private static readonly char[] Unsafe = ['/', '\\', '#', '?', Escape];
}
