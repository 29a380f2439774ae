using Azure.Identity;
using TokenTally.Storage.AzureStorage;
using TokenTally.Storage.Queues;
using TokenTally.Testing;

namespace TokenTally.Storage.Tests.Queues;

/// <summary>The Azure Queue adapter against a real storage account with DefaultAzureCredential; skipped unless TOKENTALLY_TEST_QUEUE_URI is set.</summary>
public sealed class AzureMessageQueueContract : MessageQueueContract
{
    private static readonly HttpClient Http = new();
    private static readonly Lazy<StorageCredential> Credential = new(() => StorageCredential.FromTokenCredential(new DefaultAzureCredential()));

    protected override IMessageQueue CreateSut()
    {
        var uri = RealEndpoint.QueueServiceUri;
        if (uri is null)
        {
            Assert.Skip(RealEndpoint.QueueSkipReason);
        }

        return new AzureQueueStore(Http, new Uri(uri), Credential.Value, TimeProvider.System);
    }

    // Azure keeps visibility in whole seconds: wait a second more than asked.
    protected override Task LetTimePassAsync(TimeSpan atLeast) => Task.Delay(atLeast + TimeSpan.FromSeconds(1), Ct);

    protected override Task DeleteQueuesAsync(IReadOnlyList<string> queues) =>
        RealEndpoint.QueueServiceUri is { } uri
            ? QueueCleanup.DeleteAsync(Http, new Uri(uri), Credential.Value, queues)
            : Task.CompletedTask;
}
