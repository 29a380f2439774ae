namespace TokenTally.Application.Telemetry;

/// <summary>
/// Checks the shape of an Application Insights connection string (<c>Key=value</c> pairs separated by <c>;</c>) before the
/// exporter sees it, so a malformed one stops start-up naming its setting. Problems never quote the string: it is a secret.
/// </summary>
public static class ApplicationInsightsConnectionString
{
    /// <summary>What is wrong with <paramref name="connectionString"/>, or null when nothing is.</summary>
    public static string? Problem(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var pairs = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return "it holds a part that is not Key=value";
            }

            if (!pairs.TryAdd(part[..equals].Trim(), part[(equals + 1)..].Trim()))
            {
                return $"it names {part[..equals].Trim()} twice";
            }
        }

        if (!pairs.TryGetValue("InstrumentationKey", out var key))
        {
            return "it has no InstrumentationKey";
        }

        if (!Guid.TryParse(key, out _))
        {
            return "its InstrumentationKey is not a GUID";
        }

        var badEndpoint = pairs.FirstOrDefault(p => p.Key.EndsWith("Endpoint", StringComparison.OrdinalIgnoreCase)
            && !(Uri.TryCreate(p.Value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)));
        return badEndpoint.Key is null ? null : $"its {badEndpoint.Key} is not an absolute http(s) URL";
    }
}
