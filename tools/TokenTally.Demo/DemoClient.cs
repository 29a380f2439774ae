using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace TokenTally.Demo;

/// <summary>The answer to a batch, as far as the demo reads it.</summary>
internal sealed record BatchAnswer(int Accepted, int Created, int Updated, int Duplicates, int Unpriced, IReadOnlyList<RejectedRecord> Rejected);

internal sealed record RejectedRecord(int Index, string? Id, IReadOnlyList<FieldError> Errors);

internal sealed record FieldError(string Field, string Code, string Message);

internal sealed record ProjectView(string Tenant, string Name, IReadOnlyDictionary<string, string> AzureDeployments);

internal sealed record KeyView(string KeyId, string Name, DateTimeOffset? RevokedAt);

internal sealed record IssuedKey(string KeyId, string Key, IReadOnlyList<string> Scopes);

internal sealed record BudgetSummary(string Id, string Name, decimal AmountUsd);

/// <summary>The public API as the demo uses it: the admin endpoints with the admin key, the events endpoint with project keys.</summary>
internal sealed class DemoClient(HttpClient http)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string? AdminKey { get; set; }

    public Uri? Server => http.BaseAddress;

    /// <summary>Waits until the server answers its liveness probe.</summary>
    public async Task WaitForServerAsync(TimeSpan patience, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + patience;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("/api/health/live", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (time.GetUtcNow() < deadline)
            {
            }

            if (time.GetUtcNow() >= deadline)
            {
                throw new TimeoutException($"The server at {http.BaseAddress} did not answer within {patience.TotalSeconds:0} s.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), time, cancellationToken);
        }
    }

    /// <summary>Creates the project, or brings its deployment mapping up to date.</summary>
    public async Task EnsureProjectAsync(string tenant, DemoProject project, CancellationToken cancellationToken)
    {
        using var created = await SendAdminAsync(HttpMethod.Post, "/api/v1/admin/projects", new { tenant, project = project.Name, azureDeployments = project.AzureDeployments }, cancellationToken);
        if (created.StatusCode != HttpStatusCode.Conflict)
        {
            await EnsureSuccessAsync(created, cancellationToken);
            return;
        }

        using var got = await SendAdminAsync(HttpMethod.Get, $"/api/v1/admin/projects/{tenant}/{project.Name}", null, cancellationToken);
        var existing = await ReadAsync<ProjectView>(got, cancellationToken);
        if (project.AzureDeployments.Any(d => !existing.AzureDeployments.TryGetValue(d.Key, out var model) || model != d.Value))
        {
            var merged = new Dictionary<string, string>(existing.AzureDeployments);
            foreach (var (deployment, model) in project.AzureDeployments)
            {
                merged[deployment] = model;
            }

            using var updated = await SendAdminAsync(HttpMethod.Put, $"/api/v1/admin/projects/{tenant}/{project.Name}/azure-deployments", merged, cancellationToken);
            await EnsureSuccessAsync(updated, cancellationToken);
        }
    }

    /// <summary>Revokes the project's earlier keys of this name and issues a new one.</summary>
    public async Task<string> ReplaceKeyAsync(string tenant, string project, string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        using (var listed = await SendAdminAsync(HttpMethod.Get, $"/api/v1/admin/projects/{tenant}/{project}/keys", null, cancellationToken))
        {
            foreach (var old in (await ReadAsync<List<KeyView>>(listed, cancellationToken)).Where(k => k.Name == name && k.RevokedAt is null))
            {
                using var revoked = await SendAdminAsync(HttpMethod.Delete, $"/api/v1/admin/projects/{tenant}/{project}/keys/{old.KeyId}", null, cancellationToken);
                await EnsureSuccessAsync(revoked, cancellationToken);
            }
        }

        using var issued = await SendAdminAsync(HttpMethod.Post, $"/api/v1/admin/projects/{tenant}/{project}/keys", new { name, scopes }, cancellationToken);
        return (await ReadAsync<IssuedKey>(issued, cancellationToken)).Key;
    }

    public async Task<(HttpStatusCode Status, BatchAnswer? Answer, string Detail, TimeSpan? RetryAfter)> PostEventsAsync(string key, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("api-key", key);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.MultiStatus)
        {
            return (response.StatusCode, await response.Content.ReadFromJsonAsync<BatchAnswer>(Json, cancellationToken), string.Empty, null);
        }

        var detail = await response.Content.ReadAsStringAsync(cancellationToken);
        return (response.StatusCode, null, detail.Length > 500 ? detail[..500] : detail, response.Headers.RetryAfter?.Delta);
    }

    /// <summary>Creates the budget, or brings its amount up to date (found by name); true when it was created or changed.</summary>
    public async Task<bool> EnsureBudgetAsync(string tenant, DemoBudget budget, CancellationToken cancellationToken)
    {
        using var listed = await SendAdminAsync(HttpMethod.Get, $"/api/v1/budgets?tenant={tenant}", null, cancellationToken);
        var existing = (await ReadAsync<List<BudgetSummary>>(listed, cancellationToken)).FirstOrDefault(b => b.Name == budget.Name);
        if (existing is { } found && found.AmountUsd == budget.AmountUsd)
        {
            return false;
        }

        var body = new
        {
            name = budget.Name,
            scope = new Dictionary<string, string[]> { ["service"] = [budget.Service] },
            period = new { kind = "day", timeZone = "UTC" },
            amountUsd = budget.AmountUsd,
            thresholds = new[] { 50m, 80m, 100m },
        };
        using var written = existing is null
            ? await SendAdminAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={tenant}", body, cancellationToken)
            : await SendAdminAsync(HttpMethod.Put, $"/api/v1/budgets/{existing.Id}?tenant={tenant}", body, cancellationToken);
        await EnsureSuccessAsync(written, cancellationToken);
        return true;
    }

    /// <summary>Starts a backfill of [from, to), so the history's hours are rolled up at once; returns its run id.</summary>
    public async Task<string> StartBackfillAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        using var response = await SendAdminAsync(HttpMethod.Post, "/api/v1/pipeline/runs", new { from, to }, cancellationToken);
        return (await ReadAsync<JsonElement>(response, cancellationToken)).GetProperty("id").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAdminAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey ?? throw new InvalidOperationException("The admin key is not known yet."));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) ?? throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered with an empty body.");
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {detail}", null, response.StatusCode);
        }
    }
}
