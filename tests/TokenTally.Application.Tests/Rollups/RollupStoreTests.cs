using System.Buffers.Text;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Rollups;
using TokenTally.Core.Sketches;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Tests.Rollups;

/// <summary>How rollup rows are stored: sketches in their compact encoding.</summary>
public sealed class RollupStoreTests : IDisposable
{
    private readonly TemporarySqliteStore _store = new();

    private static readonly DateTimeOffset Hour = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    private static RollupRow Row(params double[] latencies)
    {
        var row = new RollupRow(Cube.Total, []);
        foreach (var latency in latencies)
        {
            var values = new string[CallFact.DimensionCount];
            Array.Fill(values, Cube.None);
            row.Add(new CallFact(values, false, 1_000, 10, 0, 200, 0, 0.0123456789m, false, latency, latency / 4));
        }

        return row;
    }

    private static async Task<List<StoredDocument>> DocumentsAsync(IDocumentStore store, string tenant)
    {
        var documents = new List<StoredDocument>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Rollups, tenant, RangeKeyFilter.All, TestContext.Current.CancellationToken))
        {
            documents.Add(document);
        }

        return documents;
    }

    [Fact]
    public async Task SketchesAreStoredAsBase64UrlOfTheCompactEncoding()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N");
        var row = Row(120, 480.5, 2_000);

        await new RollupStore(_store.Store).ReplaceHourAsync(tenant, Hour, [row], TestContext.Current.CancellationToken);

        var hourRow = (await DocumentsAsync(_store.Store, tenant)).Single(d => d.RangeKey == RollupStore.RangeKey(Cube.Total, Hour));
        var latency = hourRow.Data["latency"]!.GetValue<string>();
        Assert.DoesNotContain(latency, c => c is '+' or '/' or '=');
        Assert.Equal(row.Latency.ToState(), DDSketchStateEncoding.Decode(Base64Url.DecodeFromChars(latency)));
    }

    public void Dispose() => _store.Dispose();
}
