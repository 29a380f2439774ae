using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Cosmos;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Tables;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Hosting;

/// <summary>The worker's composition on Azure's storage split (Azurite's tables and blobs, the Cosmos DB test server), reached through the Api function.</summary>
public sealed class FunctionsCompositionTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : IAsyncLifetime
{
    private WorkerApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await WorkerApp.StartAsync(cosmos, azurite);

    [Fact]
    public async Task TheAdminHealthReportNamesTheFunctionsHostWithCosmosAndStorageHealthy()
    {
        using var request = _app.Admin(HttpMethod.Get, "/api/v1/admin/health");
        var response = await _app.Api.SendAsync(request, TestContext.Current.CancellationToken);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("functions", health.GetProperty("host").GetString());
        Assert.Equal(["archive", "store"], health.GetProperty("dependencies").EnumerateObject().Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.All(health.GetProperty("dependencies").EnumerateObject(), d => Assert.Equal("healthy", d.Value.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task TheConfiguredAdminKeySetsUpAProjectWhoseCallsArePricedAndStoredInTableStorage()
    {
        var project = await _app.NewProjectAsync();
        using var send = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = new StringContent(
                CallRecords.Batch(CallRecords.Record("tables-1"), CallRecords.Record("tables-2", provider: "anthropic", model: "claude-sonnet-4-5")),
                new MediaTypeHeaderValue("application/json")),
        };
        send.Headers.Add("api-key", project.Key);

        var sent = await _app.Api.SendAsync(send, TestContext.Current.CancellationToken);
        var call = await project.FindCallAsync("tables-2");
        var document = await new TableDocumentStore(new TableServiceClient(azurite.ConnectionString), TimeProvider.System, _app.TablePrefix)
            .FindByLookupKeyAsync(DocumentContainer.Calls, $"{project.Tenant}|tables-2", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, sent.StatusCode);
        Assert.Equal("claude-sonnet-4-5", call!.Value.GetProperty("canonicalModel").GetString());
        Assert.True(call.Value.GetProperty("cost").GetProperty("totalUsd").GetDecimal() > 0);
        Assert.NotNull(document);
        Assert.Equal("tables-2", document.Id);
    }

    [Fact]
    public async Task EachContainerIsStoredWhereTheSplitPlacesIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var store = _app.Services.GetRequiredService<IDocumentStore>();
        var tables = new TableDocumentStore(new TableServiceClient(azurite.ConnectionString), TimeProvider.System, _app.TablePrefix);
        var cosmosStore = new CosmosDocumentStore(cosmos.Client, _app.Database, CosmosReadMode.PartitionQuery);

        foreach (var container in Enum.GetValues<DocumentContainer>())
        {
            await store.UpsertAsync(container, new DocumentWrite("split", "probe", new() { ["in"] = DocumentContainerNames.Of(container) }), WriteCondition.None, ct);
        }

        foreach (var container in Enum.GetValues<DocumentContainer>())
        {
            var inTables = await tables.GetAsync(container, "split", "probe", ct) is not null;
            var inCosmos = await cosmosStore.GetAsync(container, "split", "probe", ct) is not null;
            Assert.Equal((container != DocumentContainer.Traces, container == DocumentContainer.Traces), (inTables, inCosmos));
        }
    }

    [Fact]
    public async Task AnAdminKeyOtherThanTheConfiguredOneIsRefused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/admin/projects") { Content = JsonContent.Create(new { tenant = "intruder", project = "app" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "tt_admin_" + new string('0', 32));

        var response = await _app.Api.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
