using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Calls;

/// <summary>One id is one call, wherever its timestamp moves and however often or concurrently it is sent; every accepted record is counted.</summary>
public abstract class LedgerTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    [Fact]
    public async Task ACallResentWithATimestampInAnotherHourMovesThereAndIsCountedOnce()
    {
        var session = await NewSessionAsync();
        var first = await PostAsync(session, CallRecords.Record("move-1", Pipelines.ClosedHour(3).AddMinutes(10), input: 1000));

        var second = await PostAsync(session, CallRecords.Record("move-1", Pipelines.ClosedHour(1).AddMinutes(20), input: 2000));
        await Host.RunHourAsync();
        var call = await session.GetCallAsync("move-1");
        var costs = await session.GetJsonAsync($"/api/v1/costs?granularity=hour&from={Hour(5)}");

        Assert.Equal((1, 0, 0), Counts(first));
        Assert.Equal((0, 1, 0), Counts(second));
        Assert.Equal(Pipelines.ClosedHour(1).AddMinutes(20), call.GetProperty("call").GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(1, costs.GetProperty("total").GetProperty("calls").GetInt64());
        var point = Assert.Single(costs.GetProperty("series")[0].GetProperty("points").EnumerateArray(), p => p.GetProperty("calls").GetInt64() > 0);
        Assert.Equal(Pipelines.ClosedHour(1), point.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(2000, point.GetProperty("inputTokens").GetInt64());
    }

    [Fact]
    public async Task ThirtyConcurrentWritesOfOneIdSpreadOverFiveHoursLeaveOneCallCountedOnce()
    {
        var session = await NewSessionAsync();

        var answers = await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            PostAsync(session, CallRecords.Record("race", Pipelines.ClosedHour(1 + (i % 5)).AddMinutes(i), input: 100 + i))));
        await Host.RunUntilCaughtUpAsync();
        var costs = await session.GetJsonAsync($"/api/v1/costs?granularity=hour&from={Hour(6)}");
        var call = await session.GetCallAsync("race");

        Assert.Equal(1, answers.Sum(a => Counts(a).Created));
        Assert.Equal(29, answers.Sum(a => Counts(a).Updated + Counts(a).Duplicates));
        Assert.Equal(1, costs.GetProperty("total").GetProperty("calls").GetInt64());
        var point = Assert.Single(costs.GetProperty("series")[0].GetProperty("points").EnumerateArray(), p => p.GetProperty("calls").GetInt64() > 0);
        Assert.Equal(TokenTally.Core.Rollups.TimeBuckets.HourStart(call.GetProperty("call").GetProperty("timestamp").GetDateTimeOffset()), point.GetProperty("start").GetDateTimeOffset());
        Assert.Equal(call.GetProperty("call").GetProperty("usage").GetProperty("input").GetInt64(), point.GetProperty("inputTokens").GetInt64());
    }

    [Fact]
    public async Task IdenticalContentSentAgainIsADuplicateAndChangedContentAnUpdate()
    {
        var session = await NewSessionAsync();
        var at = Pipelines.ClosedHour(1).AddMinutes(5);
        var record = CallRecords.Record("same", at, input: 500);

        var created = await PostAsync(session, record);
        var duplicate = await PostAsync(session, record);
        var updated = await PostAsync(session, CallRecords.Record("same", at, input: 700));
        var call = await session.GetCallAsync("same");

        Assert.Equal((1, 0, 0), Counts(created));
        Assert.Equal((0, 0, 1), Counts(duplicate));
        Assert.Equal((0, 1, 0), Counts(updated));
        Assert.Equal(700, call.GetProperty("call").GetProperty("usage").GetProperty("input").GetInt64());
    }

    [Fact]
    public async Task CountsStayExactWhenTheSameBatchArrivesTenTimesAtOnce()
    {
        var session = await NewSessionAsync();
        var batch = CallRecords.Batch(Enumerable.Range(0, 50).Select(i => CallRecords.Record($"burst-{i}", Pipelines.ClosedHour(1).AddSeconds(i))).ToArray());

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
            await (await session.PostEventsAsync(batch)).Content.ReadFromJsonAsync<JsonElement>()));

        Assert.Equal(50, answers.Sum(a => a.GetProperty("created").GetInt32()));
        Assert.Equal(450, answers.Sum(a => a.GetProperty("duplicates").GetInt32()));
        Assert.Equal(0, answers.Sum(a => a.GetProperty("updated").GetInt32()));
    }

    [Fact]
    public async Task ARecordThirteenDaysOldReachesTheCostApiAtTheNextRunWithoutABackfill()
    {
        var session = await NewSessionAsync();
        var old = Pipelines.ClosedHour(13 * 24).AddMinutes(15);
        await PostAsync(session, CallRecords.Record("late-1", old));

        var report = await Host.RunHourAsync();
        var costs = await session.GetJsonAsync($"/api/v1/costs?granularity=day&from={Uri.EscapeDataString(old.AddDays(-1).ToString("O"))}");

        Assert.True(report.ChangedTaken >= 1);
        Assert.Equal(1, costs.GetProperty("total").GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task EachRunRollsUpAtMostItsBoundOfChangedHoursAndSaysWhatItLeft()
    {
        var session = await NewSessionAsync();
        await session.PostEventsAsync(CallRecords.Batch(Enumerable.Range(0, 6).Select(i => CallRecords.Record($"spread-{i}", Pipelines.ClosedHour(24 + i))).ToArray()));

        var first = await Host.RunHourAsync();
        var second = await Host.RunHourAsync();
        var costs = await session.GetJsonAsync($"/api/v1/costs?granularity=day&from={Hour(40)}");

        Assert.Equal((6, 4, 2), (first.ChangedPending, first.ChangedTaken, first.ChangedLeftOver));
        Assert.Equal((2, 2, 0), (second.ChangedPending, second.ChangedTaken, second.ChangedLeftOver));
        Assert.Equal(6, costs.GetProperty("total").GetProperty("calls").GetInt64());
    }

    private static async Task<JsonElement> PostAsync(ApiSession session, string record)
    {
        var response = await session.PostEventsAsync(CallRecords.Batch(record));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static (int Created, int Updated, int Duplicates) Counts(JsonElement answer) =>
        (answer.GetProperty("created").GetInt32(), answer.GetProperty("updated").GetInt32(), answer.GetProperty("duplicates").GetInt32());

    private static string Hour(int hoursAgo) => Uri.EscapeDataString(Pipelines.ClosedHour(hoursAgo).ToString("O"));

    protected static readonly string[] BoundedRuns = ["--TokenTally:Pipeline:MaxChangedHoursPerRun=4", "--TokenTally:Pipeline:FallbackHours=0"];

    protected static Dictionary<string, string?> BoundedRunSettings => new()
    {
        ["TokenTally:Pipeline:MaxChangedHoursPerRun"] = "4",
        ["TokenTally:Pipeline:FallbackHours"] = "0",
    };
}

public sealed class LedgerOnLocalMode() : LedgerTests(ApiHosts.Local(BoundedRuns));

public sealed class LedgerOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : LedgerTests(ApiHosts.Functions(cosmos, azurite, BoundedRunSettings));
