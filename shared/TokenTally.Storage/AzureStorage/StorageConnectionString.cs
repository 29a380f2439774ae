namespace TokenTally.Storage.AzureStorage;

/// <summary>
/// A parsed storage connection string
/// (<c>DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…;BlobEndpoint=…;QueueEndpoint=…;EndpointSuffix=…</c>).
/// Endpoints missing from the string are derived from the protocol, account name and suffix. The key
/// is kept inside <see cref="Credential"/> only; <see cref="ToString"/> and parse errors never show it.
/// </summary>
public sealed class StorageConnectionString
{
    private StorageConnectionString(string accountName, Uri blobEndpoint, Uri queueEndpoint, StorageCredential credential)
    {
        AccountName = accountName;
        BlobEndpoint = blobEndpoint;
        QueueEndpoint = queueEndpoint;
        Credential = credential;
    }

    public string AccountName { get; }

    public Uri BlobEndpoint { get; }

    public Uri QueueEndpoint { get; }

    /// <summary>Shared Key credential for the account.</summary>
    public StorageCredential Credential { get; }

    /// <exception cref="FormatException">A setting is missing or malformed; the message names the setting, never its value.</exception>
    public static StorageConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw new FormatException("The storage connection string has a part that is not 'Name=Value'.");
            }

            // Keys are base64 and may end with '=': split on the first '=' only.
            settings[part[..separator].Trim()] = part[(separator + 1)..].Trim();
        }

        if (settings.TryGetValue("UseDevelopmentStorage", out _))
        {
            throw new FormatException("UseDevelopmentStorage=true is not supported: give Azurite's AccountName, AccountKey, BlobEndpoint and QueueEndpoint explicitly.");
        }

        var accountName = Required(settings, "AccountName");
        var accountKey = Required(settings, "AccountKey");
        var protocol = settings.GetValueOrDefault("DefaultEndpointsProtocol", "https");
        if (protocol is not ("https" or "http"))
        {
            throw new FormatException("DefaultEndpointsProtocol in the storage connection string must be 'https' or 'http'.");
        }

        var suffix = settings.GetValueOrDefault("EndpointSuffix", "core.windows.net");
        var blob = Endpoint(settings, "BlobEndpoint") ?? new Uri($"{protocol}://{accountName}.blob.{suffix}");
        var queue = Endpoint(settings, "QueueEndpoint") ?? new Uri($"{protocol}://{accountName}.queue.{suffix}");
        return new StorageConnectionString(accountName, blob, queue, StorageCredential.FromSharedKey(accountName, accountKey));
    }

    public override string ToString() => $"AccountName={AccountName};BlobEndpoint={BlobEndpoint};QueueEndpoint={QueueEndpoint}";

    private static string Required(Dictionary<string, string> settings, string name) =>
        settings.TryGetValue(name, out var value) && value.Length > 0
            ? value
            : throw new FormatException($"The storage connection string has no {name}.");

    private static Uri? Endpoint(Dictionary<string, string> settings, string name)
    {
        if (!settings.TryGetValue(name, out var value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
            ? uri
            : throw new FormatException($"{name} in the storage connection string is not an absolute http(s) URI.");
    }
}
