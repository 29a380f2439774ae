using System.Diagnostics;
using System.Net;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Ingestion;

public sealed class SmokeTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
{
    [Fact]
    public async Task BothHostsStartAndIngest()
    {
        foreach (var start in new[] { ApiHosts.Local(), ApiHosts.Functions(cosmos, azurite) })
        {
            var sw = Stopwatch.StartNew();
            await using var host = await start();
            var started = sw.ElapsedMilliseconds;
            var session = await ApiSession.CreateAsync(host, ["ingest", "read:project"]);
            var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("c-1"), CallRecords.Record("c-2")));
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            TestContext.Current.TestOutputHelper!.WriteLine($"{host.GetType().Name}: started in {started} ms, ingest {sw.ElapsedMilliseconds - started} ms: {(int)response.StatusCode} {body}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var call = await session.GetCallAsync("c-1");
            TestContext.Current.TestOutputHelper!.WriteLine(call.ToString());
        }
    }
}
