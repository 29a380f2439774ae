using System.Net;
using System.Text;
using TokenTally.Functions.Tests.Infrastructure;

namespace TokenTally.Functions.Tests;

/// <summary>A malformed invocation gets a 400 problem naming the field; it never crashes the server.</summary>
public sealed class BadInvocationTests : ServerTests
{
    public static TheoryData<string, string, string, string> MalformedPayloads => new()
    {
        { "not JSON", "{\"Data\": ", "body", "not valid JSON" },
        { "an array", "[1, 2]", "body", "must be a JSON object" },
        { "no Data", "{\"Metadata\": {}}", "Data", "Data is required" },
        { "Data not an object", "{\"Data\": \"timer\"}", "Data", "must be a JSON object" },
        { "Metadata not an object", "{\"Data\": {\"timer\": {}}, \"Metadata\": [1]}", "Metadata", "must be a JSON object" },
        { "no timer binding", "{\"Data\": {\"other\": {}}, \"Metadata\": {}}", "Data.timer", "is required" },
        { "timer not an object", "{\"Data\": {\"timer\": 42}, \"Metadata\": {}}", "Data.timer", "must be a TimerInfo object" },
        { "IsPastDue not a boolean", "{\"Data\": {\"timer\": {\"IsPastDue\": \"maybe\"}}, \"Metadata\": {}}", "Data.timer.IsPastDue", "true or false" },
        { "ScheduleStatus not an object", "{\"Data\": {\"timer\": {\"ScheduleStatus\": 7}}, \"Metadata\": {}}", "Data.timer.ScheduleStatus", "must be an object" },
        { "ScheduleStatus.Next not a date", "{\"Data\": {\"timer\": {\"ScheduleStatus\": {\"Next\": \"soon\"}}}, \"Metadata\": {}}", "Data.timer.ScheduleStatus.Next", "ISO 8601" },
        { "sys not an object", "{\"Data\": {\"timer\": {}}, \"Metadata\": {\"sys\": 3}}", "Metadata.sys", "must be an object" },
        { "sys.UtcNow not a date", "{\"Data\": {\"timer\": {}}, \"Metadata\": {\"sys\": {\"UtcNow\": \"yesterday\"}}}", "Metadata.sys.UtcNow", "ISO 8601" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public async Task AMalformedPayloadIsABadRequestNamingTheField(string _, string payload, string field, string message)
    {
        var response = await PostAsync("/HourlyPipeline", payload);
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem.FieldErrors(field), m => m.Contains(message, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/health", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task AnUnknownFunctionIsNotFound()
    {
        var response = await PostAsync("/NoSuchFunction", "{}");
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("NoSuchFunction", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnHttpFunctionIsNotInvokedWithAPayload()
    {
        var response = await PostAsync("/Health", "not even JSON");
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("HTTP function", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task NoRunIsRecordedForARejectedPayload()
    {
        await PostAsync("/HourlyPipeline", "{\"Data\": {\"timer\": {\"IsPastDue\": \"maybe\"}}, \"Metadata\": {\"sys\": {\"UtcNow\": \"2026-11-20T10:05:00Z\"}}}");

        var runs = await new Pipeline.PipelineRunStore(Server.Store).ListAsync(DateTimeOffset.MinValue.AddYears(2000), DateTimeOffset.MaxValue.AddYears(-1000), TestContext.Current.CancellationToken);

        Assert.Empty(runs);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string payload) =>
        Client.PostAsync(path, new StringContent(payload, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
}
