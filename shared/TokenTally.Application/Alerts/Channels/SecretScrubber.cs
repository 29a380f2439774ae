namespace TokenTally.Application.Alerts.Channels;

/// <summary>
/// Removes secret values from text before it leaves a sender (errors, logs, delivery records). Senders write their own
/// messages and never echo URLs; this is the second line of defence, also catching a secret URL's path and query.
/// </summary>
internal static class SecretScrubber
{
    public const string Mask = "***";

    public static string Scrub(string text, ChannelSecrets secrets)
    {
        foreach (var secret in secrets.Values)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
            if (Uri.TryCreate(secret, UriKind.Absolute, out var url) && url.PathAndQuery.Length > 1)
            {
                text = text.Replace(url.PathAndQuery, Mask, StringComparison.Ordinal)
                    .Replace(url.AbsolutePath, Mask, StringComparison.Ordinal);
                if (url.Query.Length > 1)
                {
                    text = text.Replace(url.Query, Mask, StringComparison.Ordinal);
                }
            }
        }

        return text;
    }
}
