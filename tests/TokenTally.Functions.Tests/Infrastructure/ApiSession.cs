using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>A tenant and project of its own, with the admin key and a fresh project key, on a running server.</summary>
public sealed record ApiSession(HttpClient Client, string AdminKey, string Tenant, string Project, string KeyId, string Key)
{
    public static async Task<ApiSession> CreateAsync(TokenTallyServer server, HttpClient client, IDictionary<string, string>? azureDeployments = null)
    {
        var adminKey = (await File.ReadAllTextAsync(Path.Combine(server.DataPath, "admin-key"))).Trim();
        var tenant = "t-" + Guid.NewGuid().ToString("N")[..12];
        var project = "p-" + Guid.NewGuid().ToString("N")[..8];
        using var create = Admin(HttpMethod.Post, "/api/v1/admin/projects", adminKey, new { tenant, project, azureDeployments });
        (await client.SendAsync(create)).EnsureSuccessStatusCode();
        using var issue = Admin(HttpMethod.Post, $"/api/v1/admin/projects/{tenant}/{project}/keys", adminKey, new { name = "tests" });
        var issued = await (await client.SendAsync(issue)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
        return new ApiSession(client, adminKey, tenant, project, issued.GetProperty("keyId").GetString()!, issued.GetProperty("key").GetString()!);
    }

    public static HttpRequestMessage Admin(HttpMethod method, string path, string adminKey, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminKey);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    /// <summary>POSTs a batch with this session's project key.</summary>
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

    public async Task<JsonElement> GetCallAsync(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/calls/{id}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        var response = await Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}

/// <summary>Builds call records as JSON for tests.</summary>
public static class Calls
{
    public static string Record(string? id = null, DateTimeOffset? at = null, string provider = "openai", string model = "gpt-4o", long input = 1000, long output = 200, string extra = "")
    {
        var idPart = id is null ? string.Empty : $"\"id\":\"{id}\",";
        var when = (at ?? DateTimeOffset.UtcNow.AddMinutes(-1)).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        return $$"""{{{idPart}}"timestamp":"{{when}}","provider":"{{provider}}","model":"{{model}}","inputTokens":{{input}},"outputTokens":{{output}}{{extra}}}""";
    }

    public static string Batch(params string[] records) => "[" + string.Join(",", records) + "]";
}
