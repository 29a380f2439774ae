using System.Net;
using System.Text.Json;
using TokenTally.Application.Anomalies;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Rollups;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Anomalies;

/// <summary>
/// The anomalies the hourly scan stored, as the API shows them: filtered, paged newest hour first, confined to its
/// project's slice for a read:project key, and taking verdicts that the series' feedback counts once per anomaly.
/// </summary>
public abstract class AnomaliesApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 30, 0, 0, 0, TimeSpan.Zero);

    private AnomalyStore Store => Host.Services.GetRequiredService<AnomalyStore>();

    /// <summary>Six anomalies over six hours: tenant cost spikes (critical, then high), model cost level shifts, and one on the session's project.</summary>
    private async Task<IReadOnlyList<AnomalyDocument>> ArrangeAsync(ApiSession session)
    {
        var tenantCost = new SeriesKey(SeriesMetric.Cost);
        var modelCost = new SeriesKey(SeriesMetric.Cost, Dimension.Model, "gpt-4o");
        var projectCost = new SeriesKey(SeriesMetric.Cost, Dimension.Project, session.Project);
        var anomalies = new List<AnomalyDocument>
        {
            AnomalySamples.Anomaly(session.Tenant, tenantCost, Hour, "critical"),
            AnomalySamples.Anomaly(session.Tenant, modelCost, Hour.AddHours(1), "medium", "level_shift", 0.4),
            AnomalySamples.Anomaly(session.Tenant, tenantCost, Hour.AddHours(2), "high"),
            AnomalySamples.Anomaly(session.Tenant, projectCost, Hour.AddHours(3), "low", score: 0.2),
            AnomalySamples.Anomaly(session.Tenant, modelCost, Hour.AddHours(4), "medium", "level_shift", 0.5),
            AnomalySamples.Anomaly(session.Tenant, tenantCost, Hour.AddHours(5), "critical"),
        };
        await Store.ReplaceWindowAsync(session.Tenant, Hour, Hour.AddHours(6), anomalies, TestContext.Current.CancellationToken);
        return anomalies;
    }

    private static List<string> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("id").GetString()!).ToList();

    [Fact]
    public async Task AnomaliesAreListedNewestFirstFilteredAndPagedWithACursor()
    {
        var session = await NewSessionAsync("read:tenant");
        var anomalies = await ArrangeAsync(session);
        var newestFirst = anomalies.OrderByDescending(a => a.Hour).Select(a => a.Id).ToList();

        var first = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/anomalies?limit=4", session.Key), HttpStatusCode.OK);
        var cursor = first.GetProperty("nextCursor").GetString()!;
        var second = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/anomalies?limit=4&cursor={cursor}", session.Key), HttpStatusCode.OK);
        var critical = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/anomalies?severity=critical", session.Key), HttpStatusCode.OK);
        var shifts = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/anomalies?series=cost%7Cmodel%3Dgpt-4o&kind=level_shift", session.Key), HttpStatusCode.OK);
        var window = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/anomalies?slice=tenant&from={Uri.EscapeDataString(Hour.AddHours(1).ToString("O"))}&to={Uri.EscapeDataString(Hour.AddHours(5).ToString("O"))}", session.Key), HttpStatusCode.OK);

        Assert.Equal(newestFirst[..4], Ids(first));
        Assert.Equal(newestFirst[4..], Ids(second));
        Assert.False(second.TryGetProperty("nextCursor", out var none) && none.ValueKind != JsonValueKind.Null);
        Assert.Equal([anomalies[5].Id, anomalies[0].Id], Ids(critical));
        Assert.Equal([anomalies[4].Id, anomalies[1].Id], Ids(shifts));
        Assert.Equal([anomalies[2].Id], Ids(window));
        var shown = first.GetProperty("items")[0];
        Assert.Equal(("cost|tenant", "tenant", 55.0, 6.0, 14.0), (shown.GetProperty("series").GetString(), shown.GetProperty("slice").GetString(),
            shown.GetProperty("observed").GetDouble(), shown.GetProperty("lower").GetDouble(), shown.GetProperty("upper").GetDouble()));
        Assert.Equal("claude-opus-4-1", shown.GetProperty("contributors")[0].GetProperty("value").GetString());
    }

    [Fact]
    public async Task EveryInvalidFilterIsNamedWithItsCode()
    {
        var session = await NewSessionAsync("read:tenant");
        var response = await SendAsync(HttpMethod.Get, "/api/v1/anomalies?metric=spend&severity=huge&kind=dip&from=yesterday&limit=0&cursor=nope&series=cost", session.Key);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        var errors = problem.GetProperty("fieldErrors").EnumerateArray().Select(e => (e.GetProperty("field").GetString(), e.GetProperty("code").GetString())).ToHashSet();
        HashSet<(string?, string?)> expected = [("series", "invalid"), ("metric", "unknown"), ("severity", "unknown"), ("kind", "unknown"), ("from", "format"), ("limit", "range"), ("cursor", "invalid")];
        Assert.True(expected.SetEquals(errors), string.Join(", ", errors));
    }

    [Fact]
    public async Task AReadProjectKeySeesItsProjectsSliceAlone()
    {
        var session = await NewSessionAsync("read:project");
        var anomalies = await ArrangeAsync(session);

        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/anomalies", session.Key), HttpStatusCode.OK);
        var otherSlice = await SendAsync(HttpMethod.Get, "/api/v1/anomalies?slice=tenant", session.Key);
        var own = await SendAsync(HttpMethod.Get, $"/api/v1/anomalies/{anomalies[3].Id}", session.Key);
        var tenantWide = await SendAsync(HttpMethod.Get, $"/api/v1/anomalies/{anomalies[0].Id}", session.Key);

        Assert.Equal([anomalies[3].Id], Ids(listed));
        Assert.Equal(HttpStatusCode.Forbidden, otherSlice.StatusCode);
        Assert.Equal(anomalies[3].Id, (await ReadAsync(own, HttpStatusCode.OK)).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, tenantWide.StatusCode);
    }

    [Fact]
    public async Task AVerdictIsShownOnTheAnomalyAndCountedOncePerAnomalyInItsSeriesFeedback()
    {
        var session = await NewSessionAsync("read:tenant");
        var anomalies = await ArrangeAsync(session);
        string Path(int index) => $"/api/v1/anomalies/{anomalies[index].Id}/feedback?tenant={session.Tenant}";

        var byReader = await SendAsync(HttpMethod.Post, Path(0), session.Key, new { verdict = "false_positive" });
        var unknown = await SendAsync(HttpMethod.Post, Path(0), Host.AdminKey, new { verdict = "wrong" });
        var missing = await SendAsync(HttpMethod.Post, $"/api/v1/anomalies/0000000000000000/feedback?tenant={session.Tenant}", Host.AdminKey, new { verdict = "expected" });
        await ReadAsync(await SendAsync(HttpMethod.Post, Path(0), Host.AdminKey, new { verdict = "expected" }), HttpStatusCode.OK);
        var changed = await ReadAsync(await SendAsync(HttpMethod.Post, Path(0), Host.AdminKey, new { verdict = "false_positive" }), HttpStatusCode.OK);
        await ReadAsync(await SendAsync(HttpMethod.Post, Path(2), Host.AdminKey, new { verdict = "false_positive" }), HttpStatusCode.OK);
        await ReadAsync(await SendAsync(HttpMethod.Post, Path(5), Host.AdminKey, new { verdict = "confirmed" }), HttpStatusCode.OK);
        var shown = await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/anomalies/{anomalies[0].Id}", session.Key), HttpStatusCode.OK);
        var feedback = await Store.FeedbackAsync(session.Tenant, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, byReader.StatusCode);
        Assert.NotEmpty((await unknown.ReadProblemAsync()).FieldErrors("verdict"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("false_positive", changed.GetProperty("verdict").GetString());
        Assert.Equal("false_positive", shown.GetProperty("verdict").GetString());
        Assert.Equal((2, 0, 1), Assert.Single(feedback).Value.Counts);
        Assert.Equal("cost|tenant", Assert.Single(feedback).Key);
    }
}

public sealed class AnomaliesApiOnLocalMode() : AnomaliesApiTests(ApiHosts.Local());

public sealed class AnomaliesApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : AnomaliesApiTests(ApiHosts.Functions(cosmos, azurite));
