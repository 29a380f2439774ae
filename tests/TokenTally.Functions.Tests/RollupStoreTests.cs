using System.Buffers.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TokenTally.Core.Rollups;
using TokenTally.Core.Sketches;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Tests;

/// <summary>How rollup rows are stored: compact sketches, and rows in the older JSON shape still read the same.</summary>
public sealed class RollupStoreTests : ServerTests
{
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

        await Server.Services.GetRequiredService<RollupStore>().ReplaceHourAsync(tenant, Hour, [row], TestContext.Current.CancellationToken);

        var hourRow = (await DocumentsAsync(Server.Services.GetRequiredService<IDocumentStore>(), tenant)).Single(d => d.RangeKey == RollupStore.RangeKey(Cube.Total, Hour));
        var latency = hourRow.Data["latency"]!.GetValue<string>();
        Assert.DoesNotContain(latency, c => c is '+' or '/' or '=');
        Assert.Equal(row.Latency.ToState(), DDSketchStateEncoding.Decode(Base64Url.DecodeFromChars(latency)));
    }

    [Fact]
    public async Task RowsWrittenWithJsonSketchStatesReadBackUnchanged()
    {
        var tenant = "t-" + Guid.NewGuid().ToString("N");
        var row = Row(120, 480.5, 2_000, 0);
        var store = Server.Services.GetRequiredService<IDocumentStore>();
        var rangeKey = RollupStore.RangeKey(Cube.Total, Hour);
        var legacy = JsonSerializer.SerializeToNode(
            new { Cube = "total", Hour, Key = Array.Empty<string>(), row.Totals, Latency = row.Latency.ToState(), TimeToFirstToken = row.TimeToFirstToken.ToState() },
            JsonSerializerOptions.Web)!.AsObject();
        Assert.Equal(JsonValueKind.Array, legacy["latency"]!["binCounts"]!.GetValueKind());
        await store.UpsertAsync(DocumentContainer.Rollups, new DocumentWrite(tenant, rangeKey + "|legacy", legacy, rangeKey), WriteCondition.None, TestContext.Current.CancellationToken);

        var read = new List<RollupRow>();
        await foreach (var stored in Server.Services.GetRequiredService<RollupStore>().ReadAsync(tenant, Cube.Total, Hour, Hour.AddHours(1), TestContext.Current.CancellationToken))
        {
            read.Add(stored);
        }

        var only = Assert.Single(read);
        Assert.Equal(row.Totals, only.Totals);
        Assert.Equal(row.Latency.ToState(), only.Latency.ToState());
        Assert.Equal(row.TimeToFirstToken.ToState(), only.TimeToFirstToken.ToState());
    }
}
