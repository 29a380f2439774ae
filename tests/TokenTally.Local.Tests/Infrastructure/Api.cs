using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Testing;

namespace TokenTally.Local.Tests.Infrastructure;

/// <summary>A tenant and project of a test's own, created with the admin key, and a key for the project.</summary>
internal sealed record ProjectAccess(string AdminKey, string Tenant, string Project, string Key)
{
    public static async Task<ProjectAccess> CreateAsync(HttpClient client, string adminKey, string? tenant = null, params string[] scopes)
    {
        tenant ??= "t-" + Guid.NewGuid().ToString("N")[..12];
        var project = "p-" + Guid.NewGuid().ToString("N")[..8];
        using var create = ApiRequests.Admin(HttpMethod.Post, "/api/v1/admin/projects", adminKey, new { tenant, project });
        await Api.EnsureSuccessAsync(await client.SendAsync(create, TestContext.Current.CancellationToken), "create a project");
        using var issue = ApiRequests.Admin(HttpMethod.Post, $"/api/v1/admin/projects/{tenant}/{project}/keys", adminKey, new { name = "tests", scopes = scopes.Length > 0 ? scopes : ["ingest", "read:project"] });
        var issued = await Api.EnsureSuccessAsync(await client.SendAsync(issue, TestContext.Current.CancellationToken), "issue a key");
        var key = (await issued.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("key").GetString()!;
        return new ProjectAccess(adminKey, tenant, project, key);
    }
}

internal static class Api
{
    public static async Task<HttpResponseMessage> EnsureSuccessAsync(HttpResponseMessage response, string what)
    {
        Assert.True(response.IsSuccessStatusCode, $"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return response;
    }

    public static string Query(DateTimeOffset from, DateTimeOffset to) =>
        $"from={Uri.EscapeDataString(from.ToString("O", CultureInfo.InvariantCulture))}&to={Uri.EscapeDataString(to.ToString("O", CultureInfo.InvariantCulture))}";
}

/// <summary>Call records as JSON, as apps send them.</summary>
internal static class CallRecords
{
    public static string Record(string id, DateTimeOffset at, string model = "gpt-4o", long input = 1000, long output = 200)
    {
        var when = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
        return $$"""{"id":"{{id}}","timestamp":"{{when}}","provider":"openai","model":"{{model}}","inputTokens":{{input}},"outputTokens":{{output}}}""";
    }

    public static string Batch(IEnumerable<string> records) => "[" + string.Join(",", records) + "]";
}
