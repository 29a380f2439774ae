using System.Net;
using System.Text;
using System.Xml.Linq;
using TokenTally.Storage.AzureStorage;
using TokenTally.Storage.Queues;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Queues;

/// <summary>The Azure Queue adapter with Shared Key signing against Azurite; time passes for real.</summary>
public sealed class AzuriteMessageQueueContract(AzuriteFixture azurite) : MessageQueueContract
{
    private static readonly HttpClient Http = new();

    private StorageCredential Credential { get; } = StorageCredential.FromSharedKey(AzuriteFixture.AccountName, AzuriteFixture.AccountKey);

    protected override IMessageQueue CreateSut() => new AzureQueueStore(Http, azurite.QueueServiceUri, Credential, TimeProvider.System);

    // Azure keeps visibility in whole seconds: wait a second more than asked.
    protected override Task LetTimePassAsync(TimeSpan atLeast) => Task.Delay(atLeast + TimeSpan.FromSeconds(1), Ct);

    protected override Task DeleteQueuesAsync(IReadOnlyList<string> queues) =>
        QueueCleanup.DeleteAsync(Http, azurite.QueueServiceUri, Credential, queues);

    [Fact]
    public async Task MessagesAreBase64OnTheWireAsTheFunctionsQueueTriggerExpects()
    {
        var name = UniqueQueue();
        await CreateSut().SendAsync(name, "{\"hour\":\"2025-01-01T10:00:00Z\"}", initialDelay: null, Ct);

        var client = new StorageRestClient(Http, azurite.QueueServiceUri, Credential, TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, client.Resource(name + "/messages", ("peekonly", "true")));
        using var response = await client.SendAsync(request, Ct);
        var peeked = XDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(
            Convert.ToBase64String(Encoding.UTF8.GetBytes("{\"hour\":\"2025-01-01T10:00:00Z\"}")),
            peeked.Root?.Element("QueueMessage")?.Element("MessageText")?.Value);
    }

    [Fact]
    public async Task AWrongAccountKeyIsRejectedWithoutRevealingTheKey()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var queue = new AzureQueueStore(Http, azurite.QueueServiceUri, StorageCredential.FromSharedKey(AzuriteFixture.AccountName, wrongKey), TimeProvider.System);

        var error = await Assert.ThrowsAsync<AzureStorageException>(() => queue.SendAsync(UniqueQueue(), "x", initialDelay: null, Ct));

        Assert.Equal(HttpStatusCode.Forbidden, error.Status);
        Assert.DoesNotContain(wrongKey, error.ToString(), StringComparison.Ordinal);
    }
}
