using System.Net;
using TokenTally.Storage.AzureStorage;

namespace TokenTally.Storage.Tests.Queues;

/// <summary>Deletes test queues through the REST API; the queue port has no delete.</summary>
internal static class QueueCleanup
{
    public static async Task DeleteAsync(HttpClient http, Uri serviceUri, StorageCredential credential, IEnumerable<string> queues)
    {
        var client = new StorageRestClient(http, serviceUri, credential, TimeProvider.System);
        foreach (var queue in queues)
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, client.Resource(queue));
            using var response = await client.SendAsync(request, CancellationToken.None);
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.NotFound)
            {
                throw StorageRestClient.Failure(response, $"Delete Queue {queue}");
            }
        }
    }
}
