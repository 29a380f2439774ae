using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Blobs;
using TokenTally.Functions.Ingestion.Lag;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Ingestion.Lag;

/// <summary>The intake's lag in the Functions app's health report, when the app reads a hub as in Azure.</summary>
public sealed class IntakeLagHealthTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
{
    private const string Namespace = "tokentally-test.servicebus.windows.net";

    [Fact]
    public async Task TheAdminSeesTheLagOfEveryPartitionAndAnyoneOnlyThatTheAppIsDegraded()
    {
        var positions = new IntakeLagCheckTests.GivenPositions(
            (PartitionLagTests.Partition("0", 0, 30_000), 100),
            (PartitionLagTests.Partition("1", 0, 10), 10));
        await using var app = await WorkerApp.StartAsync(cosmos, azurite, HubSettings("llm-calls"), services => services.AddSingleton<IIntakePositions>(positions));

        var anonymous = await app.Api.GetAsync("/api/health", TestContext.Current.CancellationToken);
        var summary = await anonymous.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        using var request = app.Admin(HttpMethod.Get, "/api/v1/admin/health");
        var details = await (await app.Api.SendAsync(request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var lag = details.GetProperty("dependencies").GetProperty(IntakeLagCheck.Name);

        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        Assert.Equal("degraded", summary.GetProperty("status").GetString());
        Assert.Equal(["checkedAt", "status", "version"], summary.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("degraded", details.GetProperty("status").GetString());
        Assert.Equal("degraded", lag.GetProperty("status").GetString());
        Assert.Contains("partition 0 is 29,900 events behind", lag.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(29_900, lag.GetProperty("data").GetProperty("0").GetProperty("eventsBehind").GetInt64());
        Assert.Equal(30_000, lag.GetProperty("data").GetProperty("0").GetProperty("lastEnqueuedSequenceNumber").GetInt64());
        Assert.Equal(100, lag.GetProperty("data").GetProperty("0").GetProperty("checkpointSequenceNumber").GetInt64());
        Assert.Equal("checkpointed", lag.GetProperty("data").GetProperty("0").GetProperty("state").GetString());
        Assert.Equal(0, lag.GetProperty("data").GetProperty("1").GetProperty("eventsBehind").GetInt64());
        Assert.Equal("healthy", details.GetProperty("dependencies").GetProperty("store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task TheCheckpointsAreReadFromTheHostsStorageForTheFunctionsNamespaceHubAndConsumerGroup()
    {
        var hub = "hub-" + Guid.NewGuid().ToString("N")[..8];
        var container = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient(CheckpointBlobs.ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: TestContext.Current.CancellationToken);
        await container.GetBlobClient($"{Namespace}/{hub}/tokentally/checkpoint/0").UploadAsync(
            BinaryData.Empty, new Azure.Storage.Blobs.Models.BlobUploadOptions { Metadata = new Dictionary<string, string> { ["sequencenumber"] = "314" } }, TestContext.Current.CancellationToken);

        // A connection string makes the clients without reaching the namespace; only storage is asked.
        var settings = HubSettings(hub);
        settings["EventHubConnection"] = $"Endpoint=sb://{Namespace}/;SharedAccessKeyName=listen;SharedAccessKey=bm90LWEta2V5";
        settings.Remove("EventHubConnection:fullyQualifiedNamespace");
        await using var app = await WorkerApp.StartAsync(cosmos, azurite, settings);
        var positions = app.Services.GetRequiredService<IIntakePositions>();

        Assert.Equal(314, await positions.GetCheckpointAsync("0", TestContext.Current.CancellationToken));
        Assert.Null(await positions.GetCheckpointAsync("1", TestContext.Current.CancellationToken));
    }

    private Dictionary<string, string?> HubSettings(string hub) => new()
    {
        ["TokenTally:EventHubName"] = hub,
        ["EventHubConnection:fullyQualifiedNamespace"] = Namespace,
        ["AzureWebJobsStorage"] = azurite.ConnectionString,
    };
}
