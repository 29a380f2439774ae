using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Tests;

/// <summary>POST /api/v1/events: what is accepted, and the exact answer to each kind of bad input.</summary>
public sealed class IngestionApiTests(IngestionApiTests.Server server) : IClassFixture<IngestionApiTests.Server>
{
    public sealed class Server : IAsyncLifetime
    {
        public TokenTallyServer App { get; } = new(new Dictionary<string, string?> { ["TokenTally:Ingestion:MaxEventsPerBatch"] = "50", ["TokenTally:Ingestion:MaxBodyBytes"] = "200000" });

        public HttpClient Client { get; private set; } = null!;

        public ValueTask InitializeAsync()
        {
            Client = App.Start();
            return ValueTask.CompletedTask;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await App.DisposeAsync();
        }
    }

    private Task<ApiSession> SessionAsync() => ApiSession.CreateAsync(server.App, server.Client);

    [Fact]
    public async Task AGoodBatchIsAcceptedAndEveryCallCanBeLookedUp()
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record("c-1"), Calls.Record("c-2", model: "gpt-4o-mini")));
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
        var session = await SessionAsync();

        var body = await (await session.PostEventsAsync(Calls.Batch(Calls.Record(), Calls.Record("mine")))).Content.ReadFromJsonAsync<JsonElement>();
        var assigned = body.GetProperty("assignedIds").EnumerateArray().ToList();

        Assert.Equal(0, Assert.Single(assigned).GetProperty("index").GetInt32());
        var id = assigned[0].GetProperty("id").GetString()!;
        Assert.Equal(id, (await session.GetCallAsync(id)).GetProperty("call").GetProperty("id").GetString());
    }

    [Fact]
    public async Task NdJsonAndGzipAreAccepted()
    {
        var session = await SessionAsync();
        var ndjson = Calls.Record("n-1") + "\n" + Calls.Record("n-2") + "\n";
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(ndjson));
        }

        var response = await session.PostEventsAsync(compressed.ToArray(), "application/x-ndjson", contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task AnUnknownModelIsStoredUnpricedAndCounted()
    {
        var session = await SessionAsync();

        var body = await (await session.PostEventsAsync(Calls.Batch(Calls.Record("u-1", model: "mystery-model-9000")))).Content.ReadFromJsonAsync<JsonElement>();
        var call = await session.GetCallAsync("u-1");
        var health = await server.Client.GetFromJsonAsync<JsonElement>("/api/health");

        Assert.Equal(1, body.GetProperty("unpriced").GetInt32());
        Assert.True(call.GetProperty("unpriced").GetBoolean());
        Assert.Equal(JsonValueKind.Null, call.GetProperty("cost").ValueKind);
        Assert.True(health.GetProperty("pricing").GetProperty("unpricedCallsToday").GetInt64() >= 1);
    }

    [Fact]
    public async Task AMixedBatchAcceptsTheGoodRecordsAndListsEachBadOne()
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Calls.Batch(
            Calls.Record("m-1"),
            Calls.Record("m-2", input: -5),
            Calls.Record("m-3"),
            Calls.Record("m-4", extra: ",\"status\":\"meh\",\"tags\":[1]")));
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
        { "wrong token type", "application/json", Calls.Batch(Calls.Record(extra: ",\"cachedInputTokens\":\"5\"")), 400, "cachedInputTokens:type" },
        { "negative tokens", "application/json", Calls.Batch(Calls.Record(output: -1)), 400, "outputTokens:range" },
        { "absurd tokens", "application/json", Calls.Batch(Calls.Record(input: 50_000_000)), 400, "inputTokens:range" },
        { "future timestamp", "application/json", Calls.Batch(Calls.Record(at: DateTimeOffset.UtcNow.AddHours(2))), 400, "timestamp:range" },
        { "past retention", "application/json", Calls.Batch(Calls.Record(at: DateTimeOffset.UtcNow.AddDays(-45))), 400, "timestamp:range" },
        { "timestamp without zone", "application/json", "[{\"timestamp\":\"2026-11-20T10:00:00\",\"provider\":\"openai\",\"model\":\"gpt-4o\"}]", 400, "timestamp:format" },
        { "oversized string", "application/json", Calls.Batch(Calls.Record(extra: $",\"userId\":\"{new string('u', 1000)}\"")), 400, "userId:length" },
        { "oversized tag", "application/json", Calls.Batch(Calls.Record(extra: $",\"tags\":{{\"team\":\"{new string('t', 500)}\"}}")), 400, "tags.team:length" },
        { "too many tags", "application/json", Calls.Batch(Calls.Record(extra: ",\"tags\":{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"k{i}\":\"v\"")) + "}")), 400, "tags:length" },
        { "unknown field", "application/json", Calls.Batch(Calls.Record(extra: ",\"prompt_tokens\":3")), 400, "prompt_tokens:unknown" },
        { "additive anthropic cache", "application/json", Calls.Batch(Calls.Record(provider: "anthropic", model: "claude-sonnet-4-5", input: 10, extra: ",\"cachedInputTokens\":900")), 400, "inputTokens:convention" },
        { "additive gemini thoughts", "application/json", Calls.Batch(Calls.Record(provider: "google", model: "gemini-2.5-pro", output: 10, extra: ",\"reasoningTokens\":90")), 400, "outputTokens:convention" },
        { "missing timestamp", "application/json", "[{\"provider\":\"openai\",\"model\":\"gpt-4o\"}]", 400, "timestamp:required" },
        { "missing model", "application/json", "[{\"timestamp\":\"" + DateTimeOffset.UtcNow.ToString("O") + "\",\"provider\":\"openai\"}]", 400, "model:required" },
        { "bad enum", "application/json", Calls.Batch(Calls.Record(extra: ",\"operation\":\"sonnet\"")), 400, "operation:enum" },
        { "bad id", "application/json", Calls.Batch(Calls.Record(id: "has space")), 400, "id:format" },
        { "unsupported media type", "text/plain", Calls.Batch(Calls.Record()), 415, "title:Unsupported media type" },
        { "too many events", "application/json", Calls.Batch(Enumerable.Range(0, 51).Select(i => Calls.Record($"many-{i}")).ToArray()), 413, "title:Batch too large" },
        { "body too large", "application/json", Calls.Batch(Enumerable.Range(0, 40).Select(i => Calls.Record($"big-{i}", extra: $",\"tags\":{{\"a\":\"{new string('a', 250)}\",\"b\":\"{new string('b', 250)}\",\"c\":\"{new string('c', 250)}\",\"d\":\"{new string('d', 250)}\",\"e\":\"{new string('e', 250)}\",\"f\":\"{new string('f', 250)}\",\"g\":\"{new string('g', 250)}\",\"h\":\"{new string('h', 250)}\",\"i\":\"{new string('i', 250)}\",\"j\":\"{new string('j', 250)}\",\"k\":\"{new string('k', 250)}\",\"l\":\"{new string('l', 250)}\",\"m\":\"{new string('m', 250)}\",\"n\":\"{new string('n', 250)}\",\"o\":\"{new string('o', 250)}\",\"p\":\"{new string('p', 250)}\",\"q\":\"{new string('q', 250)}\",\"r\":\"{new string('r', 250)}\",\"s\":\"{new string('s', 250)}\",\"t\":\"{new string('t', 250)}\"}}")).ToArray()), 413, "title:Body too large" },
    };

    [Theory]
    [MemberData(nameof(BadBatches))]
    public async Task ABadBatchGetsItsExactAnswer(string _, string contentType, string body, int status, string expected)
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(body, contentType);

        Assert.Equal(status, (int)response.StatusCode);
        var problem = await response.ReadProblemAsync();
        AssertNames(problem, expected);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task InvalidUtf8IsRejectedAndNothingIsStored()
    {
        var session = await SessionAsync();
        var bytes = Encoding.UTF8.GetBytes(Calls.Batch(Calls.Record("utf", extra: ",\"userId\":\"AB\""))).ToList();
        bytes.InsertRange(bytes.LastIndexOf((byte)'B'), new byte[] { 0xFF, 0xFE });

        var response = await session.PostEventsAsync(bytes.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        Assert.True(problem.TryGetProperty("rejected", out _) || problem.GetProperty("title").GetString() == "Unreadable batch");
    }

    [Fact]
    public async Task DuplicateIdsInOneBatchKeepTheFirst()
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record("dup", model: "gpt-4o"), Calls.Record("dup", model: "gpt-4o-mini")));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        var error = body.GetProperty("rejected")[0].GetProperty("errors")[0];
        Assert.Equal("duplicate", error.GetProperty("code").GetString());
        Assert.Equal("gpt-4o", (await session.GetCallAsync("dup")).GetProperty("canonicalModel").GetString());
    }

    [Fact]
    public async Task ACorruptGzipBodyIsABadRequest()
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Encoding.UTF8.GetBytes("definitely not gzip"), contentEncoding: "gzip");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Corrupt gzip body", (await response.ReadProblemAsync()).GetProperty("title").GetString());
    }

    [Fact]
    public async Task AnUnsupportedContentEncodingIsRefused()
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record()), contentEncoding: "br");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("Unsupported content encoding", (await response.ReadProblemAsync()).GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("", "Send an API key")]
    [InlineData("tt_0123456789ab_not-the-secret", "not valid")]
    [InlineData("sk-openai-style-key", "malformed")]
    public async Task AMissingOrWrongKeyIsUnauthorized(string key, string detail)
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record()), key: key);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(detail, (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARevokedKeyIsUnauthorizedAtOnce()
    {
        var session = await SessionAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.PostEventsAsync(Calls.Batch(Calls.Record()))).StatusCode);
        using var revoke = ApiSession.Admin(HttpMethod.Delete, $"/api/v1/admin/projects/{session.Tenant}/{session.Project}/keys/{session.KeyId}", session.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.SendAsync(revoke)).StatusCode);

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("revoked", (await response.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordsForAnotherProjectAreForbidden()
    {
        var session = await SessionAsync();

        var response = await session.PostEventsAsync(Calls.Batch(Calls.Record(extra: ",\"project\":\"someone-else\"")));
        var problem = await response.ReadProblemAsync();

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("forbidden", problem.GetProperty("rejected")[0].GetProperty("errors")[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task AnotherTenantsCallIsInvisible()
    {
        var mine = await SessionAsync();
        var theirs = await SessionAsync();
        await theirs.PostEventsAsync(Calls.Batch(Calls.Record("secret-call")));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/calls/secret-call");
        request.Headers.TryAddWithoutValidation("api-key", mine.Key);

        var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task ACallStoredBeforeLookupKeysIsStillFoundThroughItsIdPointer()
    {
        var session = await SessionAsync();
        await session.PostEventsAsync(Calls.Batch(Calls.Record("older-call")));
        var store = server.App.Services.GetRequiredService<IDocumentStore>();
        var record = (await store.FindByLookupKeyAsync(DocumentContainer.Calls, $"{session.Tenant}|older-call", TestContext.Current.CancellationToken))!;

        // Rewrite it as an earlier version stored it: no lookup key, and an id pointer in tenant|ids|<FNV-1a of the id mod 64>.
        await store.DeleteAsync(DocumentContainer.Calls, record.PartitionKey, record.Id, null, TestContext.Current.CancellationToken);
        await store.UpsertAsync(DocumentContainer.Calls, new DocumentWrite(record.PartitionKey, record.Id, record.Data, record.RangeKey), WriteCondition.None, TestContext.Current.CancellationToken);
        var hash = "older-call".Aggregate(2166136261u, (h, c) => (h ^ c) * 16777619u);
        var pointer = new DocumentWrite($"{session.Tenant}|ids|{hash % 64:x2}", record.Id, new JsonObject { ["hour"] = record.PartitionKey[(session.Tenant.Length + 1)..] });
        await store.UpsertAsync(DocumentContainer.Calls, pointer, WriteCondition.None, TestContext.Current.CancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/calls/older-call");
        request.Headers.TryAddWithoutValidation("api-key", session.Key);

        var response = await server.Client.SendAsync(request);

        Assert.Null(await store.FindByLookupKeyAsync(DocumentContainer.Calls, $"{session.Tenant}|older-call", TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("older-call", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("call").GetProperty("id").GetString());
    }

    [Fact]
    public async Task TheAdminKeyCannotSendCallsAndAProjectKeyCannotAdminister()
    {
        var session = await SessionAsync();
        using var admin = ApiSession.Admin(HttpMethod.Get, $"/api/v1/admin/projects/{session.Tenant}/{session.Project}/keys", session.Key);

        var send = await session.PostEventsAsync(Calls.Batch(Calls.Record()), key: session.AdminKey);
        var administer = await server.Client.SendAsync(admin);

        Assert.Equal(HttpStatusCode.Forbidden, send.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, administer.StatusCode);
        Assert.Equal("application/problem+json", administer.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheCallRecordSchemaIsPublished()
    {
        var response = await server.Client.GetAsync("/api/v1/schema/call-event.json");
        var schema = await response.Content.ReadFromJsonAsync<JsonElement>();

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
