using System.Text.Json;
using TokenTally.Core.Rollups;
using TokenTally.Core.Sketches;
using TokenTally.Application.Rollups;

namespace TokenTally.Application.Tests.Rollups;

/// <summary>The hand-written JSON form of a stored rollup row: camelCase, in any property order.</summary>
public sealed class StoredRollupRowJsonTests
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static DDSketch Sketch(params double[] values)
    {
        var sketch = new DDSketch(RollupRow.SketchAccuracy);
        foreach (var value in values)
        {
            sketch.Add(value);
        }

        return sketch;
    }

    private static readonly StoredRollupRow Sample = new(
        "usage", new DateTimeOffset(2026, 4, 1, 13, 0, 0, TimeSpan.Zero), ["p", "(none)", "gpt-4o"],
        new RollupTotals(7, 1, 7_000, 300, 20, 900, 40, 0.0123456789012345678m, 2), Sketch(0, 120, 4_000.5), Sketch());

    private static void AssertSame(StoredRollupRow expected, StoredRollupRow actual)
    {
        Assert.Equal(expected.Cube, actual.Cube);
        Assert.Equal(expected.Hour, actual.Hour);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Totals, actual.Totals);
        Assert.Equal(expected.Latency.ToState(), actual.Latency.ToState());
        Assert.Equal(expected.TimeToFirstToken.ToState(), actual.TimeToFirstToken.ToState());
    }

    [Fact]
    public void ARowRoundTripsExactly()
    {
        AssertSame(Sample, JsonSerializer.Deserialize<StoredRollupRow>(JsonSerializer.Serialize(Sample, Json), Json)!);
    }

    [Fact]
    public void PropertiesReadInAnyOrderAndUnknownOnesAreSkipped()
    {
        var node = JsonSerializer.SerializeToNode(Sample, Json)!.AsObject();
        var reordered = new System.Text.Json.Nodes.JsonObject { ["extra"] = new System.Text.Json.Nodes.JsonObject { ["nested"] = 1 } };
        foreach (var name in node.Select(p => p.Key).Reverse().ToList())
        {
            var value = node[name];
            node.Remove(name);
            reordered[name] = value;
        }

        reordered["totals"]!.AsObject()["futureField"] = "x";

        AssertSame(Sample, reordered.Deserialize<StoredRollupRow>(Json)!);
    }

    [Fact]
    public void AMissingPropertyIsAJsonErrorThatNamesIt()
    {
        var node = JsonSerializer.SerializeToNode(Sample, Json)!.AsObject();
        node.Remove("totals");

        var error = Assert.Throws<JsonException>(() => node.Deserialize<StoredRollupRow>(Json));

        Assert.Contains("'totals'", error.Message, StringComparison.Ordinal);
    }
}
