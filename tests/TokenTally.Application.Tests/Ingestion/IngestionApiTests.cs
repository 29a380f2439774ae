using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Ingestion;

/// <summary>POST /api/v1/events: what is accepted, and the exact answer to each kind of bad input.</summary>
public abstract class IngestionApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    protected static readonly string[] SmallLimits = ["--TokenTally:Ingestion:MaxEventsPerBatch=50", "--TokenTally:Ingestion:MaxBodyBytes=200000"];

    protected static Dictionary<string, string?> SmallLimitSettings => new()
    {
        ["TokenTally:Ingestion:MaxEventsPerBatch"] = "50",
        ["TokenTally:Ingestion:MaxBodyBytes"] = "200000",
    };

    [Fact]
    public async Task AGoodBatchIsAcceptedAndEveryCallCanBeLookedUp()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("c-1"), CallRecords.Record("c-2", model: "gpt-4o-mini")));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var call = await session.GetCallAsync("c-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(2, body.GetProperty("created").GetInt32());
        Assert.Equal(0, body.GetProperty("rejected").GetArrayLength());
        Assert.Equal("gpt-4o", call.GetProperty("canonicalModel").GetString());
        Assert.Equal("chat", call.GetProperty("call").GetProperty("operation").GetString());
        Assert.False(call.GetProperty("unpriced").GetBoolean());
        Assert.True(call.GetProperty("cost").GetProperty("totalUsd").GetDecimal() > 0);
    }

    [Fact]
    public async Task RecordsWithoutIdsGetServerIdsThatTheAnswerReturns()
    {
        var session = await NewSessionAsync();

        var body = await (await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record(), CallRecords.Record("mine")))).Content.ReadFromJsonAsync<JsonElement>();
        var assigned = body.GetProperty("assignedIds").EnumerateArray().ToList();

        Assert.Equal(0, Assert.Single(assigned).GetProperty("index").GetInt32());
        var id = assigned[0].GetProperty("id").GetString()!;
        Assert.Equal(id, (await session.GetCallAsync(id)).GetProperty("call").GetProperty("id").GetString());
    }

    [Fact]
    public async Task NdJsonAndGzipAreAccepted()
    {
        var session = await NewSessionAsync();
        var ndjson = CallRecords.Record("n-1") + "\n" + CallRecords.Record("n-2") + "\n";
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(ndjson), TestContext.Current.CancellationToken);
        }

        var response = await session.PostEventsAsync(compressed.ToArray(), "application/x-ndjson", contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task AnUnknownModelIsStoredUnpricedAndCounted()
    {
        var session = await NewSessionAsync("ingest", "read:tenant");

        var body = await (await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("u-1", model: "mystery-model-9000")))).Content.ReadFromJsonAsync<JsonElement>();
        var call = await session.GetCallAsync("u-1");
        var unpriced = await session.GetJsonAsync("/api/v1/prices/unpriced");
        using var details = ApiRequests.Admin(HttpMethod.Get, "/api/v1/admin/health", session.AdminKey);
        var health = await (await Client.SendAsync(details)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, body.GetProperty("unpriced").GetInt32());
        Assert.True(call.GetProperty("unpriced").GetBoolean());
        Assert.False(call.TryGetProperty("cost", out var cost) && cost.ValueKind != JsonValueKind.Null);
        Assert.Equal(1, unpriced.GetProperty("models").GetProperty("mystery-model-9000").GetInt64());
        Assert.True(health.GetProperty("pricing").GetProperty("unpricedCallsToday").GetInt64() >= 1);
    }

    [Fact]
    public async Task AMixedBatchAcceptsTheGoodRecordsAndListsEachBadOne()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(
            CallRecords.Record("m-1"),
            CallRecords.Record("m-2", input: -5),
            CallRecords.Record("m-3"),
            CallRecords.Record("m-4", extra: ",\"status\":\"meh\",\"tags\":[1]")));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var rejected = body.GetProperty("rejected").EnumerateArray().ToList();

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal([1, 3], rejected.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal("m-2", rejected[0].GetProperty("id").GetString());
        Assert.Equal(["status", "tags"], rejected[1].GetProperty("errors").EnumerateArray().Select(e => e.GetProperty("field").GetString()).Order());
        await session.GetCallAsync("m-3");
    }

    public static TheoryData<string, string, string, int, string> BadBatches => new()
    {
        // name, content type, body, status, field/code or title expected in the answer
        { "malformed JSON", "application/json", "[{\"timestamp\":", 400, "title:Unreadable batch" },
        { "empty array", "application/json", "[]", 400, "title:Unreadable batch" },
        { "empty body", "application/json", "", 400, "title:Unreadable batch" },
        { "events not an array", "application/json", "{\"events\":5}", 400, "title:Unreadable batch" },
        { "a bare number", "application/json", "42", 400, "title:Unreadable batch" },
        { "element not an object", "application/json", "[7]", 400, "record:type" },
        { "wrong token type", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"cachedInputTokens\":\"5\"")), 400, "cachedInputTokens:type" },
        { "negative tokens", "application/json", CallRecords.Batch(CallRecords.Record(output: -1)), 400, "outputTokens:range" },
        { "absurd tokens", "application/json", CallRecords.Batch(CallRecords.Record(input: 50_000_000)), 400, "inputTokens:range" },
        { "future timestamp", "application/json", CallRecords.Batch(CallRecords.Record(at: DateTimeOffset.UtcNow.AddHours(2))), 400, "timestamp:range" },
        { "past retention", "application/json", CallRecords.Batch(CallRecords.Record(at: DateTimeOffset.UtcNow.AddDays(-45))), 400, "timestamp:range" },
        { "timestamp without zone", "application/json", "[{\"timestamp\":\"2026-11-20T10:00:00\",\"provider\":\"openai\",\"model\":\"gpt-4o\"}]", 400, "timestamp:format" },
        { "oversized string", "application/json", CallRecords.Batch(CallRecords.Record(extra: $",\"userId\":\"{new string('u', 1000)}\"")), 400, "userId:length" },
        { "oversized tag", "application/json", CallRecords.Batch(CallRecords.Record(extra: $",\"tags\":{{\"team\":\"{new string('t', 500)}\"}}")), 400, "tags.team:length" },
        { "too many tags", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"tags\":{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":\"v\"")) + "}")), 400, "tags:length" },
        { "unknown field", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"prompt_tokens\":3")), 400, "prompt_tokens:unknown" },
        { "additive anthropic cache", "application/json", CallRecords.Batch(CallRecords.Record(provider: "anthropic", model: "claude-sonnet-4-5", input: 10, extra: ",\"cachedInputTokens\":900")), 400, "inputTokens:convention" },
        { "additive gemini thoughts", "application/json", CallRecords.Batch(CallRecords.Record(provider: "google", model: "gemini-2.5-pro", output: 10, extra: ",\"reasoningTokens\":90")), 400, "outputTokens:convention" },
        { "missing timestamp", "application/json", "[{\"provider\":\"openai\",\"model\":\"gpt-4o\"}]", 400, "timestamp:required" },
        { "missing model", "application/json", "[{\"timestamp\":\"" + DateTimeOffset.UtcNow.ToString("O") + "\",\"provider\":\"openai\"}]", 400, "model:required" },
        { "bad enum", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"operation\":\"sonnet\"")), 400, "operation:enum" },
        { "bad id", "application/json", CallRecords.Batch(CallRecords.Record(id: "has space")), 400, "id:format" },
        { "a lone surrogate", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"userId\":\"\\ud800\"")), 400, "userId:encoding" },
        { "a lone surrogate in a tag key", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"tags\":{\"\\udc00\":\"x\"}")), 400, "tags:encoding" },
        { "a repeated property", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"userId\":\"a\",\"userId\":\"b\"")), 400, "userId:duplicate" },
        { "null tokens", "application/json", CallRecords.Batch(CallRecords.Record(extra: ",\"cachedInputTokens\":null")), 400, "cachedInputTokens:type" },
        { "unsupported media type", "text/plain", CallRecords.Batch(CallRecords.Record()), 415, "title:Unsupported media type" },
        { "too many events", "application/json", CallRecords.Batch(Enumerable.Range(0, 51).Select(i => CallRecords.Record($"many-{i}")).ToArray()), 413, "title:Batch too large" },
        { "body too large", "application/json", CallRecords.Batch(Enumerable.Range(0, 40).Select(i => CallRecords.Record($"big-{i}", extra: ",\"tags\":{" + string.Join(",", Enumerable.Range(0, 20).Select(t => $"\"t{t}\":\"{new string('v', 250)}\"")) + "}")).ToArray()), 413, "title:Body too large" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task ABadBatchGetsItsExactAnswer(string _, string contentType, string body, int status, string expected)
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(body, contentType);

        Assert.Equal(status, (int)response.StatusCode);
        var problem = await response.ReadProblemAsync();
        AssertNames(problem, expected);
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("/api/health", TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public async Task ABadRecordLosesNothingValidBesideIt()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("before"), CallRecords.Record("bad", extra: ",\"userId\":\"\\ud800\""), CallRecords.Record("after")));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(2, body.GetProperty("created").GetInt32());
        Assert.Equal("bad", body.GetProperty("rejected")[0].GetProperty("id").GetString());
        await session.GetCallAsync("before");
        await session.GetCallAsync("after");
    }

    [Fact]
    public async Task InvalidUtf8IsRejectedAndNothingIsStored()
    {
        var session = await NewSessionAsync();
        var bytes = Encoding.UTF8.GetBytes(CallRecords.Batch(CallRecords.Record("utf", extra: ",\"userId\":\"AB\""))).ToList();
        bytes.InsertRange(bytes.LastIndexOf((byte)'B'), new byte[] { 0xFF, 0xFE });

        var response = await session.PostEventsAsync(bytes.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.True(problem.TryGetProperty("rejected", out _) || problem.GetProperty("title").GetString() == "Unreadable batch");
        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync("/api/v1/calls/utf")).StatusCode);
    }

    [Fact]
    public async Task DuplicateIdsInOneBatchKeepTheFirst()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record("dup", model: "gpt-4o"), CallRecords.Record("dup", model: "gpt-4o-mini")));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var error = body.GetProperty("rejected")[0].GetProperty("errors")[0];
        Assert.Equal("duplicate", error.GetProperty("code").GetString());
        Assert.Equal("gpt-4o", (await session.GetCallAsync("dup")).GetProperty("canonicalModel").GetString());
    }

    [Fact]
    public async Task ACorruptGzipBodyIsABadRequest()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(Encoding.UTF8.GetBytes("definitely not gzip"), contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Corrupt gzip body", (await response.ReadProblemAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnUnsupportedContentEncodingIsRefused()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record()), contentEncoding: "br");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Unsupported content encoding", (await response.ReadProblemAsync()).GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("", "Send an API key")]
    [InlineData("tt_0123456789ab_not-the-secret", "not valid")]
    [InlineData("sk-openai-style-key", "malformed")]
    public async Task AMissingOrWrongKeyIsUnauthorized(string key, string detail)
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record()), key: key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(detail, (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARevokedKeyIsUnauthorizedAtOnce()
    {
        var session = await NewSessionAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record()))).StatusCode);

        var revoked = await session.SendAdminAsync(HttpMethod.Delete, $"/api/v1/admin/projects/{session.Tenant}/{session.Project}/keys/{session.KeyId}");
        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record()));

        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("revoked", (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordsForAnotherProjectAreForbidden()
    {
        var session = await NewSessionAsync();

        var response = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record(extra: ",\"project\":\"someone-else\"")));
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", problem.GetProperty("rejected")[0].GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnotherTenantsCallIsInvisible()
    {
        var mine = await NewSessionAsync();
        var theirs = await NewSessionAsync();
        await theirs.PostEventsAsync(CallRecords.Batch(CallRecords.Record("secret-call")));

        var response = await mine.GetAsync("/api/v1/calls/secret-call");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task TheAdminKeyCannotSendCallsAndAProjectKeyCannotAdminister()
    {
        var session = await NewSessionAsync();

        var send = await session.PostEventsAsync(CallRecords.Batch(CallRecords.Record()), key: session.AdminKey);
        var administer = await session.GetAsync($"/api/v1/admin/projects/{session.Tenant}/{session.Project}/keys");

        Assert.Equal(HttpStatusCode.Forbidden, send.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, administer.StatusCode);
        Assert.Contains("admin key", (await administer.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheCallRecordSchemaIsPublished()
    {
        var response = await Client.GetAsync("/api/v1/schema/call-event.json", TestContext.Current.CancellationToken);
        var schema = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
        Assert.True(schema.GetProperty("properties").TryGetProperty("cacheWriteTokens", out _));
    }

    private static void AssertNames(JsonElement problem, string expected)
    {
        var (kind, value) = (expected.Split(':')[0], expected[(expected.IndexOf(':', StringComparison.Ordinal) + 1)..]);
        if (kind == "title")
        {
            Assert.Equal(value, problem.GetProperty("title").GetString());
            return;
        }

        var errors = problem.GetProperty("rejected")[0].GetProperty("errors").EnumerateArray().ToList();
        Assert.Contains(errors, e => e.GetProperty("field").GetString() == kind && e.GetProperty("code").GetString() == value);
    }
}

public sealed class IngestionApiOnLocalMode() : IngestionApiTests(ApiHosts.Local(SmallLimits));

public sealed class IngestionApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : IngestionApiTests(ApiHosts.Functions(cosmos, azurite, SmallLimitSettings));
