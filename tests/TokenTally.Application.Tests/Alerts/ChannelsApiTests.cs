using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using TokenTally.Application.Alerts;
using TokenTally.Application.Tests.Alerts.Channels;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Storage.Documents;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Alerts;

/// <summary>
/// Channels are a resource of their tenant: the admin key writes them and sends test alerts, a read:tenant key reads them,
/// every invalid field is named with its code, and a secret goes in once and never comes out — not in an answer, a
/// problem, a log line or the channel's document.
/// </summary>
public abstract class ChannelsApiTests(Func<Task<IApiHost>> start) : ApiSpecification(start)
{
    /// <summary>Loopback receivers allowed, and retries cut to two quick attempts, so a failing test alert fails fast.</summary>
    protected static readonly Dictionary<string, string?> Settings = new()
    {
        ["TokenTally:Alerts:Channels:AllowLoopbackHttp"] = "true",
        ["TokenTally:Alerts:Channels:MaxAttempts"] = "2",
        ["TokenTally:Alerts:Channels:FirstRetryDelay"] = "00:00:00.050",
        ["TokenTally:Alerts:Channels:MaxRetryDelay"] = "00:00:00.100",
        ["TokenTally:Alerts:Channels:AttemptTimeout"] = "00:00:05",
    };

    /// <summary>Every log line of the host, at every level.</summary>
    protected static void RecordLogs(IServiceCollection services)
    {
        var logs = new RecordedLogs();
        services.AddSingleton(logs);
        services.AddSingleton<ILoggerProvider>(logs);
    }

    /// <summary>Every answer's status, headers and body, to look for secrets in.</summary>
    private readonly List<string> _answers = [];

    private static string NewWebhookSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string Unguessable() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    private static JsonObject Webhook(string url = "https://hooks.example.com/tokentally", string? secret = null, string name = "ops webhook") => new()
    {
        ["name"] = name,
        ["kind"] = "webhook",
        ["settings"] = new JsonObject { ["url"] = url },
        ["secrets"] = new JsonObject { ["signingSecret"] = secret ?? NewWebhookSecret() },
    };

    private static JsonObject Teams(string webhookUrl, string name = "ops teams") => new()
    {
        ["name"] = name,
        ["kind"] = "teams",
        ["secrets"] = new JsonObject { ["webhookUrl"] = webhookUrl },
    };

    private static JsonObject Smtp(int port, string? password = null) => new()
    {
        ["name"] = "finops mail",
        ["kind"] = "email-smtp",
        ["settings"] = new JsonObject
        {
            ["host"] = "127.0.0.1", ["port"] = port, ["tls"] = "none", ["username"] = "alerts", ["from"] = "alerts@tokentally.example", ["to"] = new JsonArray("finops@contoso.example"),
        },
        ["secrets"] = new JsonObject { ["password"] = password ?? Unguessable() },
    };

    private static JsonObject Acs() => new()
    {
        ["name"] = "acs mail",
        ["kind"] = "email-acs",
        ["settings"] = new JsonObject
        {
            ["endpoint"] = "https://contoso.communication.azure.com/", ["senderAddress"] = "donotreply@contoso.example", ["recipients"] = new JsonArray("finops@contoso.example"),
        },
        ["secrets"] = new JsonObject { ["accessKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)) },
    };

    protected override async Task OnAnsweredAsync(HttpResponseMessage response) =>
        _answers.Add($"{(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");

    private async Task<(JsonElement Channel, string Location, string ETag)> CreateAsync(ApiSession session, JsonObject channel)
    {
        var response = await SendAsync(HttpMethod.Post, $"/api/v1/channels?tenant={session.Tenant}", Host.AdminKey, channel);
        var created = await ReadAsync(response, HttpStatusCode.Created);
        return (created, response.Headers.Location!.ToString(), response.Headers.ETag!.ToString());
    }

    private async Task<JsonElement> TestAsync(ApiSession session, string id) =>
        await ReadAsync(await SendAsync(HttpMethod.Post, $"/api/v1/channels/{id}/test?tenant={session.Tenant}", Host.AdminKey), HttpStatusCode.OK);

    private static async Task<IReadOnlyList<(string Field, string Code)>> FieldErrorsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.ReadProblemAsync();
        var errors = problem.GetProperty("fieldErrors").EnumerateArray().Select(e => (e.GetProperty("field").GetString()!, e.GetProperty("code").GetString()!)).ToList();
        Assert.All(errors, e => Assert.NotEmpty(problem.FieldErrors(e.Item1)));
        return errors;
    }

    /// <summary>Asserts that no answer so far, no log line and no document of the tenant's partition holds <paramref name="secret"/>.</summary>
    private async Task AssertNowhereAsync(ApiSession session, string secret)
    {
        Assert.NotEmpty(_answers);
        Assert.DoesNotContain(_answers, a => a.Contains(secret, StringComparison.Ordinal));
        var logs = Host.Services.GetRequiredService<RecordedLogs>().Lines;
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(logs, l => l.Contains(secret, StringComparison.Ordinal));
        var store = Host.Services.GetRequiredService<IDocumentStore>();
        var documents = new List<string>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, session.Tenant, new RangeKeyFilter("channel:", "channel;"), TestContext.Current.CancellationToken))
        {
            documents.Add(document.Data.ToJsonString());
        }

        Assert.NotEmpty(documents);
        Assert.DoesNotContain(documents, d => d.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChannelIsCreatedReadListedReplacedAndDeleted()
    {
        var session = await NewSessionAsync("read:tenant");
        var (created, location, etag) = await CreateAsync(session, Webhook());
        var id = created.GetProperty("id").GetString()!;

        Assert.Equal($"/api/v1/channels/{id}?tenant={session.Tenant}", location);
        Assert.Equal("webhook", created.GetProperty("kind").GetString());
        Assert.Equal("https://hooks.example.com/tokentally", created.GetProperty("settings").GetProperty("url").GetString());
        var read = await SendAsync(HttpMethod.Get, location, Host.AdminKey);
        Assert.Equal(created.ToString(), (await ReadAsync(read, HttpStatusCode.OK)).ToString());
        Assert.Equal(etag, read.Headers.ETag!.ToString());
        var listed = await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/channels", session.Key), HttpStatusCode.OK);
        Assert.Equal([id], listed.EnumerateArray().Select(c => c.GetProperty("id").GetString()));

        var replace = await SendAsync(HttpMethod.Put, location, Host.AdminKey, Webhook("https://hooks.example.com/v2", name: "ops webhook v2"), ifMatch: etag);
        var replaced = await ReadAsync(replace, HttpStatusCode.OK);
        Assert.Equal("ops webhook v2", replaced.GetProperty("name").GetString());
        Assert.Equal("https://hooks.example.com/v2", replaced.GetProperty("settings").GetProperty("url").GetString());
        Assert.Equal(created.GetProperty("createdAt").GetDateTimeOffset(), replaced.GetProperty("createdAt").GetDateTimeOffset());
        var stale = await SendAsync(HttpMethod.Put, location, Host.AdminKey, Webhook(name: "stale"), ifMatch: etag);
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await SendAsync(HttpMethod.Delete, location, Host.AdminKey, ifMatch: etag)).StatusCode);

        await ReadAsync(await SendAsync(HttpMethod.Delete, location, Host.AdminKey, ifMatch: replace.Headers.ETag!.ToString()), HttpStatusCode.NoContent);
        await ReadAsync(await SendAsync(HttpMethod.Get, location, Host.AdminKey), HttpStatusCode.NotFound);
        await ReadAsync(await SendAsync(HttpMethod.Delete, location, Host.AdminKey), HttpStatusCode.NotFound);
        Assert.Equal(0, (await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/channels", session.Key), HttpStatusCode.OK)).GetArrayLength());
        Assert.Null(await Host.Services.GetRequiredService<IChannelSecretStore>().GetAsync(session.Tenant, id, "signingSecret", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ASecretIsShownAsSetKeptByAPutWithoutItReplacedByOneWithItAndNeverEchoed()
    {
        var session = await NewSessionAsync("read:tenant");
        var first = NewWebhookSecret();
        var (created, location, etag) = await CreateAsync(session, Webhook(secret: first));
        var id = created.GetProperty("id").GetString()!;
        var secrets = Host.Services.GetRequiredService<IChannelSecretStore>();
        var setAt = created.GetProperty("secrets").GetProperty("signingSecret");

        Assert.True(setAt.GetProperty("set").GetBoolean());
        Assert.Equal(["set", "updatedAt"], setAt.EnumerateObject().Select(p => p.Name));
        Assert.Equal(first, await secrets.GetAsync(session.Tenant, id, "signingSecret", TestContext.Current.CancellationToken));
        var apart = await Host.Services.GetRequiredService<IDocumentStore>().GetAsync(DocumentContainer.Config, $"{session.Tenant}|secrets", $"channel:{id}:signingSecret", TestContext.Current.CancellationToken);
        Assert.Equal(first, apart?.Data["value"]?.GetValue<string>());

        var withoutSecret = Webhook(name: "renamed");
        withoutSecret.Remove("secrets");
        var kept = await SendAsync(HttpMethod.Put, location, Host.AdminKey, withoutSecret, ifMatch: etag);
        var keptView = await ReadAsync(kept, HttpStatusCode.OK);
        Assert.Equal(setAt.GetProperty("updatedAt").GetDateTimeOffset(), keptView.GetProperty("secrets").GetProperty("signingSecret").GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(first, await secrets.GetAsync(session.Tenant, id, "signingSecret", TestContext.Current.CancellationToken));

        var second = NewWebhookSecret();
        var replaced = await ReadAsync(await SendAsync(HttpMethod.Put, location, Host.AdminKey, Webhook(secret: second), ifMatch: kept.Headers.ETag!.ToString()), HttpStatusCode.OK);
        Assert.True(replaced.GetProperty("secrets").GetProperty("signingSecret").GetProperty("updatedAt").GetDateTimeOffset() >= setAt.GetProperty("updatedAt").GetDateTimeOffset());
        Assert.Equal(second, await secrets.GetAsync(session.Tenant, id, "signingSecret", TestContext.Current.CancellationToken));

        var invalid = Webhook(url: "http://hooks.example.com/plain", secret: "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(8)) + first);
        Assert.Equal([("settings.url", "https"), ("secrets.signingSecret", "format")], await FieldErrorsAsync(await SendAsync(HttpMethod.Put, location, Host.AdminKey, invalid)));
        await ReadAsync(await SendAsync(HttpMethod.Get, location, Host.AdminKey), HttpStatusCode.OK);
        await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/channels", session.Key), HttpStatusCode.OK);
        await TestAsync(session, id);

        await AssertNowhereAsync(session, first);
        await AssertNowhereAsync(session, second);
    }

    [Fact]
    public async Task EachInvalidFieldIsA400ThatNamesTheFieldAndItsCode()
    {
        var session = await NewSessionAsync("read:tenant");
        var cases = new (string What, Func<JsonObject> Body, (string, string)[] Errors)[]
        {
            ("unknown kind", () => new JsonObject { ["name"] = "x", ["kind"] = "pager" }, [("kind", "enum")]),
            ("no name", () => { var b = Webhook(); b.Remove("name"); return b; }, [("name", "required")]),
            ("no name and an unknown kind", () => new JsonObject { ["kind"] = "pager" }, [("name", "required"), ("kind", "enum")]),
            ("a URL that is no URL", () => Webhook(url: "hooks.example.com"), [("settings.url", "format")]),
            ("a plain-http URL elsewhere than loopback", () => Webhook(url: "http://hooks.example.com/x"), [("settings.url", "https")]),
            ("a Teams URL over plain http", () => Teams("http://prod-00.westeurope.logic.azure.com/workflows/1"), [("secrets.webhookUrl", "https")]),
            ("no Teams URL", () => new JsonObject { ["name"] = "t", ["kind"] = "teams" }, [("secrets.webhookUrl", "required")]),
            ("a webhook secret that is not whsec_", () => Webhook(secret: "hunter2-hunter2-hunter2-hunter2"), [("secrets.signingSecret", "format")]),
            ("a webhook secret too short", () => Webhook(secret: "whsec_" + Convert.ToBase64String(new byte[16])), [("secrets.signingSecret", "format")]),
            ("a setting the kind does not take", () => { var b = Webhook(); b["settings"]!["method"] = "PUT"; return b; }, [("settings.method", "unknown")]),
            ("a secret the kind does not take", () => { var b = Webhook(); b["secrets"]!["token"] = "x"; return b; }, [("secrets.token", "unknown")]),
            ("a port out of range", () => { var b = Smtp(25); b["settings"]!["port"] = 70000; return b; }, [("settings.port", "range")]),
            ("a bad sender address", () => { var b = Smtp(25); b["settings"]!["from"] = "alerts at example"; return b; }, [("settings.from", "format")]),
            ("a bad recipient", () => { var b = Smtp(25); b["settings"]!["to"] = new JsonArray("ok@contoso.example", "Finops <f@contoso.example>"); return b; }, [("settings.to[1]", "format")]),
            ("an SMTP login without its password", () => { var b = Smtp(25); b.Remove("secrets"); return b; }, [("secrets.password", "required")]),
            ("an unknown TLS mode", () => { var b = Smtp(25); b["settings"]!["tls"] = "ssl"; return b; }, [("settings.tls", "enum")]),
            ("an ACS endpoint over plain http", () => { var b = Acs(); b["settings"]!["endpoint"] = "http://contoso.communication.azure.com/"; return b; }, [("settings.endpoint", "https")]),
            ("an ACS access key missing", () => { var b = Acs(); b.Remove("secrets"); return b; }, [("secrets.accessKey", "required")]),
            ("no ACS recipients", () => { var b = Acs(); b["settings"]!["recipients"] = new JsonArray(); return b; }, [("settings.recipients", "format")]),
        };

        foreach (var (what, body, expected) in cases)
        {
            var response = await SendAsync(HttpMethod.Post, $"/api/v1/channels?tenant={session.Tenant}", Host.AdminKey, body());
            var errors = await FieldErrorsAsync(response);
            Assert.True(errors.SequenceEqual(expected), $"{what}: {string.Join(", ", errors)}");
        }

        Assert.Equal(0, (await ReadAsync(await SendAsync(HttpMethod.Get, "/api/v1/channels", session.Key), HttpStatusCode.OK)).GetArrayLength());
        await CreateAsync(session, Smtp(25));
        await CreateAsync(session, Acs());
    }

    [Fact]
    public async Task ATestAlertReachesAWebhookSignedAndATeamsWorkflowAndAnSmtpServer()
    {
        var session = await NewSessionAsync("read:tenant");
        await using var receiver = await HttpReceiver.StartAsync();
        await using var smtp = SmtpReceiver.Start();
        var (webhook, _, _) = await CreateAsync(session, Webhook(receiver.Url("/hooks/tokentally").ToString()));
        var (teams, _, _) = await CreateAsync(session, Teams(receiver.Url($"/workflows/{Unguessable()}?sig={Unguessable()}").ToString()));
        var password = Unguessable();
        var (mail, _, _) = await CreateAsync(session, Smtp(smtp.Port, password));

        var deliveries = new[] { webhook, teams, mail }.Select(c => TestAsync(session, c.GetProperty("id").GetString()!)).ToList();
        var records = await Task.WhenAll(deliveries);

        Assert.All(records, r => Assert.Equal(("delivered", 1), (r.GetProperty("outcome").GetString(), r.GetProperty("attempts").GetInt32())));
        Assert.Equal(["webhook", "teams", "email-smtp"], records.Select(r => r.GetProperty("kind").GetString()));
        var hook = Assert.Single(receiver.Requests, r => r.PathAndQuery == "/hooks/tokentally");
        Assert.Equal(records[0].GetProperty("idempotencyId").GetString(), hook.Headers["webhook-id"].ToString());
        Assert.Contains(ChannelsApi.TestAlertTitle, hook.BodyText, StringComparison.Ordinal);
        Assert.Contains(ChannelsApi.TestAlertTitle, Assert.Single(receiver.Requests, r => r.PathAndQuery.StartsWith("/workflows/", StringComparison.Ordinal)).BodyText, StringComparison.Ordinal);
        var email = Assert.Single(smtp.Messages);
        Assert.Contains(ChannelsApi.TestAlertTitle, email.Message.Subject, StringComparison.Ordinal);
        Assert.Equal(("alerts", password), (email.User, email.Password));
        await AssertNowhereAsync(session, password);
    }

    [Fact]
    public async Task AFailedTestAlertIsRetriedAndReportedWithoutTheSecretUrl()
    {
        var session = await NewSessionAsync("read:tenant");
        await using var receiver = await HttpReceiver.StartAsync((_, _) => new ReceiverAnswer(500));
        var (path, signature) = (Unguessable(), Unguessable());
        var (teams, _, _) = await CreateAsync(session, Teams(receiver.Url($"/workflows/{path}?sig={signature}").ToString()));
        var id = teams.GetProperty("id").GetString()!;

        var failed = await TestAsync(session, id);
        await receiver.StopAsync();
        var refused = await TestAsync(session, id);

        Assert.Equal(("failed", 2), (failed.GetProperty("outcome").GetString(), failed.GetProperty("attempts").GetInt32()));
        Assert.Contains("500", failed.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, receiver.Requests.Count);
        Assert.Equal(("failed", 2), (refused.GetProperty("outcome").GetString(), refused.GetProperty("attempts").GetInt32()));
        Assert.Contains(Host.Services.GetRequiredService<RecordedLogs>().Lines, l => l.Contains(id, StringComparison.Ordinal));
        await AssertNowhereAsync(session, path);
        await AssertNowhereAsync(session, signature);
    }

    [Fact]
    public async Task ABudgetNamesACreatedChannelNotADeletedOneAndAChannelABudgetNamesIsNotDeleted()
    {
        var session = await NewSessionAsync("read:tenant");
        var (kept, keptLocation, _) = await CreateAsync(session, Webhook(name: "kept"));
        var (gone, goneLocation, _) = await CreateAsync(session, Webhook(name: "gone"));
        var (keptId, goneId) = (kept.GetProperty("id").GetString()!, gone.GetProperty("id").GetString()!);
        await ReadAsync(await SendAsync(HttpMethod.Delete, goneLocation, Host.AdminKey), HttpStatusCode.NoContent);
        JsonObject Budget(params string[] channels) => new()
        {
            ["name"] = "monthly", ["period"] = new JsonObject { ["kind"] = "month" }, ["amountUsd"] = 100, ["channels"] = new JsonArray([.. channels.Select(c => JsonValue.Create(c))]),
        };

        var named = await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, Budget(keptId));
        var namingDeleted = await SendAsync(HttpMethod.Post, $"/api/v1/budgets?tenant={session.Tenant}", Host.AdminKey, Budget(keptId, goneId));
        var budget = await ReadAsync(named, HttpStatusCode.Created);
        var inUse = await SendAsync(HttpMethod.Delete, keptLocation, Host.AdminKey);

        Assert.Equal([("channels[1]", "unknown")], await FieldErrorsAsync(namingDeleted));
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        var problem = await inUse.ReadProblemAsync();
        Assert.Contains(budget.GetProperty("id").GetString()!, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal([budget.GetProperty("id").GetString()], problem.GetProperty("usedBy").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
        await ReadAsync(await SendAsync(HttpMethod.Get, keptLocation, Host.AdminKey), HttpStatusCode.OK);

        await ReadAsync(await SendAsync(HttpMethod.Put, named.Headers.Location!.ToString(), Host.AdminKey, Budget()), HttpStatusCode.OK);
        await ReadAsync(await SendAsync(HttpMethod.Delete, keptLocation, Host.AdminKey), HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task OnlyTheAdminKeyWritesAndTestsAndOnlyATenantReaderReads()
    {
        var session = await NewSessionAsync("read:tenant");
        var projectReader = await session.KeyWithAsync("read:project");
        var other = await NewSessionAsync("read:tenant");
        var (channel, _, _) = await CreateAsync(session, Webhook());
        var id = channel.GetProperty("id").GetString()!;

        var byReader = await SendAsync(HttpMethod.Post, "/api/v1/channels", session.Key, Webhook());
        var testByReader = await SendAsync(HttpMethod.Post, $"/api/v1/channels/{id}/test", session.Key);
        var byProjectReader = await SendAsync(HttpMethod.Get, "/api/v1/channels", projectReader);
        var fromOtherTenant = await SendAsync(HttpMethod.Get, $"/api/v1/channels/{id}?tenant={session.Tenant}", other.Key);
        var otherOwn = await SendAsync(HttpMethod.Get, $"/api/v1/channels/{id}", other.Key);

        Assert.Equal(HttpStatusCode.Forbidden, byReader.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, testByReader.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byProjectReader.StatusCode);
        Assert.Contains("read:tenant", (await byProjectReader.ReadProblemAsync()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, fromOtherTenant.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherOwn.StatusCode);
        await ReadAsync(await SendAsync(HttpMethod.Get, $"/api/v1/channels/{id}", session.Key), HttpStatusCode.OK);
    }
}

public sealed class ChannelsApiOnLocalMode() : ChannelsApiTests(ApiHosts.Local([.. Settings.Select(s => $"--{s.Key}={s.Value}")], RecordLogs));

public sealed class ChannelsApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : ChannelsApiTests(ApiHosts.Functions(cosmos, azurite, Settings, RecordLogs));
