using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>A tenant's project with a key, on a <see cref="WorkerApp"/>.</summary>
public sealed class TestProject(WorkerApp app, string tenant, string project)
{
    public string Tenant { get; } = tenant;

    public string Project { get; } = project;

    public string KeyId { get; set; } = "";

    public string Key { get; set; } = "";

    public async Task<(string KeyId, string Key)> IssueKeyAsync(params string[] scopes)
    {
        using var issue = app.Admin(HttpMethod.Post, $"/api/v1/admin/projects/{Tenant}/{Project}/keys", new { name = "tests", scopes });
        var response = await app.Api.SendAsync(issue, TestContext.Current.CancellationToken);
        var issued = await response.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("key").GetString()!);
    }

    public async Task RevokeKeyAsync(string keyId)
    {
        using var revoke = app.Admin(HttpMethod.Delete, $"/api/v1/admin/projects/{Tenant}/{Project}/keys/{keyId}");
        (await app.Api.SendAsync(revoke, TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
    }

    /// <summary>A call as the API shows it to this project's key; null when there is none.</summary>
    public async Task<JsonElement?> FindCallAsync(string id)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/calls/{id}");
        request.Headers.Authorization = new("Bearer", Key);
        var response = await app.Api.SendAsync(request, TestContext.Current.CancellationToken);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }

        Assert.True(response.IsSuccessStatusCode, $"GET /api/v1/calls/{id} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }
}
