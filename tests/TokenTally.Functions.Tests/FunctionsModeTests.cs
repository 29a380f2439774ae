using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Core.Pipeline;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Cosmos;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>
/// Functions mode as the host runs it: the port comes from FUNCTIONS_CUSTOMHANDLER_PORT, the
/// document store is Cosmos DB (the test server), blobs and queues are Azure Storage (Azurite).
/// </summary>
public sealed class FunctionsModeTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
    : IClassFixture<CosmosTestServerFixture>, IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string AdminKey = "tt_admin_functions-mode-test-key";
    private TokenTallyServer _server = null!;
    private HttpClient _client = null!;

    public ValueTask InitializeAsync()
    {
        _server = new TokenTallyServer(
            new Dictionary<string, string?>
            {
                ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0",
                ["TokenTally:Mode"] = "Auto",
                ["TokenTally:Cosmos:Endpoint"] = cosmos.Endpoint,
                ["TokenTally:Cosmos:Database"] = cosmos.DatabaseName,
                ["TokenTally:Cosmos:ReadMode"] = nameof(CosmosReadMode.PartitionQuery),
                ["TokenTally:Storage:ConnectionString"] = azurite.ConnectionString,
                ["TokenTally:Admin:KeySha256"] = TokenTally.Functions.Local.AdminKeyBootstrap.Hash(AdminKey),
            },
            // The test server's certificate is self-signed: use the fixture's client, which trusts it.
            services => services.Replace(ServiceDescriptor.Singleton<CosmosClient>(cosmos.Client)));
        _client = _server.Start();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task HealthReportsFunctionsModeWithCosmosAndStorageReachable()
    {
        var response = await _client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("functions", health.GetProperty("mode").GetString());
        Assert.All(health.GetProperty("dependencies").EnumerateObject(), d => Assert.Equal("healthy", d.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task TheTimerInvocationWritesItsRunRecordToCosmos()
    {
        var payload = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "HostPayloads", "HourlyPipeline.json"), TestContext.Current.CancellationToken);
        var uniqueHour = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).AddHours(Random.Shared.Next(0, 100_000));
        payload = payload.Replace("2026-11-20T10:05:00.0123456Z", uniqueHour.AddHours(1).AddMinutes(5).ToString("O"), StringComparison.Ordinal);

        var response = await _client.PostAsync("/HourlyPipeline", new StringContent(payload, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
        var run = await new PipelineRunStore(cosmos.CreateStore()).GetAsync(uniqueHour, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(run);
        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
    }

    [Fact]
    public async Task TheConfiguredAdminKeySetsUpAProjectWhoseCallsArePricedAndStoredInCosmos()
    {
        var tenant = "fm-" + Guid.NewGuid().ToString("N")[..10];
        using var create = ApiSession.Admin(HttpMethod.Post, "/api/v1/admin/projects", AdminKey, new { tenant, project = "app" });
        Assert.Equal(HttpStatusCode.Created, (await _client.SendAsync(create)).StatusCode);
        using var issue = ApiSession.Admin(HttpMethod.Post, $"/api/v1/admin/projects/{tenant}/app/keys", AdminKey, new { name = "ci" });
        var key = (await (await _client.SendAsync(issue)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        var session = new ApiSession(_client, AdminKey, tenant, "app", ProjectStoreKeyId(key), key);

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record("cosmos-1"), Calls.Record("cosmos-2", provider: "anthropic", model: "claude-sonnet-4-5")));
        var call = await session.GetCallAsync("cosmos-2");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("claude-sonnet-4-5", call.GetProperty("canonicalModel").GetString());
        Assert.True(call.GetProperty("cost").GetProperty("totalUsd").GetDecimal() > 0);
    }

    private static string ProjectStoreKeyId(string key) => TokenTally.Functions.Projects.ProjectStore.KeyIdOf(key)!;

    [Fact]
    public void NoLocalAdminKeyIsCreatedInFunctionsMode() =>
        Assert.False(File.Exists(Path.Combine(_server.DataPath, "admin-key")));

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }
}
