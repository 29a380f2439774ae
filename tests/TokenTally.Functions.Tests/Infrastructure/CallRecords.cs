namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>Builds call records as JSON.</summary>
public static class CallRecords
{
    public static string Record(string? id = null, DateTimeOffset? at = null, string provider = "openai", string model = "gpt-4o", long input = 1000, long output = 200)
    {
        var idPart = id is null ? string.Empty : $"\"id\":\"{id}\",";
        var when = (at ?? DateTimeOffset.UtcNow.AddMinutes(-1)).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return $$"""{{{idPart}}"timestamp":"{{when}}","provider":"{{provider}}","model":"{{model}}","inputTokens":{{input}},"outputTokens":{{output}}}""";
    }

    public static string Batch(params string[] records) => "[" + string.Join(",", records) + "]";
}
