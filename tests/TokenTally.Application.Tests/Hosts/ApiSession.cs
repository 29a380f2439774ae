using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>A tenant and project of a test's own, with the host's admin key and a project key, on a running host.</summary>
public sealed record ApiSession(IApiHost Host, string Tenant, string Project, string KeyId, string Key)
{
    public HttpClient Client => Host.Client;

    public string AdminKey => Host.AdminKey;

    public static async Task<ApiSession> CreateAsync(IApiHost host, IReadOnlyList<string> scopes, IDictionary<string, string>? azureDeployments = null, string? tenant = null)
    {
        tenant ??= "t-" + Guid.NewGuid().ToString("N")[..12];
        var project = "p-" + Guid.NewGuid().ToString("N")[..8];
        using var create = ApiRequests.Admin(HttpMethod.Post, "/api/v1/admin/projects", host.AdminKey, new { tenant, project, azureDeployments });
        var created = await host.Client.SendAsync(create);
        Assert.True(created.IsSuccessStatusCode, $"Creating a project answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var (keyId, key) = await IssueKeyAsync(host, tenant, project, scopes);
        return new ApiSession(host, tenant, project, keyId, key);
    }

    public static async Task<(string KeyId, string Key)> IssueKeyAsync(IApiHost host, string tenant, string project, IReadOnlyList<string> scopes)
    {
        using var issue = ApiRequests.Admin(HttpMethod.Post, $"/api/v1/admin/projects/{tenant}/{project}/keys", host.AdminKey, new { name = "tests", scopes });
        var issued = await (await host.Client.SendAsync(issue)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("key").GetString()!);
    }

    /// <summary>Another key for this session's project.</summary>
    public async Task<string> KeyWithAsync(params string[] scopes) => (await IssueKeyAsync(Host, Tenant, Project, scopes)).Key;

    public Task<HttpResponseMessage> SendAdminAsync(HttpMethod method, string path, object? body = null) => Client.SendAsync(ApiRequests.Admin(method, path, AdminKey, body));

    /// <summary>POSTs a batch with this session's project key (or <paramref name="key"/>).</summary>
    public Task<HttpResponseMessage> PostEventsAsync(string body, string contentType = "application/json", string? key = null, string? contentEncoding = null) =>
        PostEventsAsync(Encoding.UTF8.GetBytes(body), contentType, key, contentEncoding);

    public async Task<HttpResponseMessage> PostEventsAsync(byte[] body, string contentType = "application/json", string? key = null, string? contentEncoding = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (contentEncoding is not null)
        {
            request.Content.Headers.ContentEncoding.Add(contentEncoding);
        }

        if ((key ?? Key) is { Length: > 0 } presented)
        {
            request.Headers.TryAddWithoutValidation("api-key", presented);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>GETs a path with this session's key (or <paramref name="key"/>).</summary>
    public async Task<HttpResponseMessage> GetAsync(string path, string? key = null, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? Key);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        return await Client.SendAsync(request);
    }

    public async Task<JsonElement> GetJsonAsync(string path, string? key = null)
    {
        var response = await GetAsync(path, key);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public Task<JsonElement> GetCallAsync(string id) => GetJsonAsync($"/api/v1/calls/{id}");
}

/// <summary>Builds call records as JSON.</summary>
public static class CallRecords
{
    public static string Record(string? id = null, DateTimeOffset? at = null, string provider = "openai", string model = "gpt-4o", long input = 1000, long output = 200, string extra = "")
    {
        var idPart = id is null ? string.Empty : $"\"id\":\"{id}\",";
        var when = (at ?? DateTimeOffset.UtcNow.AddMinutes(-1)).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return $$"""{{{idPart}}"timestamp":"{{when}}","provider":"{{provider}}","model":"{{model}}","inputTokens":{{input}},"outputTokens":{{output}}{{extra}}}""";
    }

    public static string Batch(params string[] records) => "[" + string.Join(",", records) + "]";
}

public static class HttpAssertions
{
    /// <summary>Reads an RFC 7807 body, checking its media type.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The messages of one field in a validation problem.</summary>
    public static string[] FieldErrors(this JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : throw new Xunit.Sdk.XunitException($"No error for '{field}' in {problem}");
}
