using System.Net;
using TokenTally.Functions.Tests.Infrastructure;

namespace TokenTally.Functions.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task AKeyOverItsRateGets429WithRetryAfterAndOtherKeysAreUnaffected()
    {
        await using var server = new TokenTallyServer(new Dictionary<string, string?>
        {
            ["TokenTally:Ingestion:RequestsPerSecondPerKey"] = "1",
            ["TokenTally:Ingestion:BurstPerKey"] = "3",
        });
        using var client = server.Start();
        var busy = await ApiSession.CreateAsync(server, client);
        var quiet = await ApiSession.CreateAsync(server, client);

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await busy.PostEventsAsync(Calls.Batch(Calls.Record())));
        }

        var limited = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.True(answers.Count(a => a.StatusCode == HttpStatusCode.OK) >= 3);
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("Too many requests", (await limited.ReadProblemAsync()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.OK, (await quiet.PostEventsAsync(Calls.Batch(Calls.Record()))).StatusCode);
    }
}
