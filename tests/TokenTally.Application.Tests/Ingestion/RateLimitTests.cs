using System.Globalization;
using System.Net;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Ingestion;

/// <summary>Each key has its own token bucket: a busy key is told when to come back, others are not slowed.</summary>
public abstract class RateLimitTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    protected static readonly string[] OneRequestASecond = ["--TokenTally:Ingestion:RequestsPerSecondPerKey=1", "--TokenTally:Ingestion:BurstPerKey=3"];

    [Fact]
    public async Task AKeyOverItsRateGets429WithRetryAfterAndOtherKeysAreUnaffected()
    {
        var busy = await NewSessionAsync();
        var quiet = await NewSessionAsync();

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await busy.PostEventsAsync(CallRecords.Batch(CallRecords.Record())));
        }

        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) >= 3);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("Too many requests", (await limited.ReadProblemAsync()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await quiet.PostEventsAsync(CallRecords.Batch(CallRecords.Record()))).StatusCode);
    }
}

public sealed class RateLimitOnLocalMode() : RateLimitTests(ApiHosts.Local(OneRequestASecond));

public sealed class RateLimitOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : RateLimitTests(ApiHosts.Functions(cosmos, azurite, new Dictionary<string, string?>
{
    ["TokenTally:Ingestion:RequestsPerSecondPerKey"] = "1",
    ["TokenTally:Ingestion:BurstPerKey"] = "3",
}));
