using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TokenTally.Application.Export;
using TokenTally.Application.Hosting;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Rollups;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Core.Rollups;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Tests.Export;

/// <summary>The rollup export against a loopback stand-in of the Logs Ingestion API: path, headers, body, batching, retries, reruns.</summary>
public sealed class RollupExportTests : IDisposable
{
    private const string RuleId = "dcr-0123456789abcdef0123456789abcdef";
    private const string Stream = "Custom-TokenTallyRollups";
    private static readonly DateTimeOffset Hour = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly TemporarySqliteStore _store = new();
    private readonly IngestionEndpoint _endpoint = new();
    private readonly RecordingCredential _credential = new();
    private readonly string _tenant = "t-" + Guid.NewGuid().ToString("N")[..12];

    private ServiceProvider CreateServices(Dictionary<string, string?>? settings = null, bool gzip = false, bool withCredential = true)
    {
        var values = new Dictionary<string, string?>
        {
            [$"{LogsIngestionOptions.Section}:Endpoint"] = _endpoint.BaseAddress,
            [$"{LogsIngestionOptions.Section}:RuleId"] = RuleId,
            [$"{LogsIngestionOptions.Section}:StreamName"] = Stream,
            [$"{LogsIngestionOptions.Section}:Gzip"] = gzip ? "true" : "false",
            [$"{LogsIngestionOptions.Section}:FirstRetryDelay"] = "00:00:00.050",
        };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build())
            .AddLogging()
            .AddSingleton<IDocumentStore>(_store.Store);
        if (withCredential)
        {
            services.AddSingleton<TokenCredential>(_credential);
        }

        services.AddTokenTallyApplication();
        return services.BuildServiceProvider();
    }

    private async Task StoreHourAsync(int users)
    {
        var rows = new List<RollupRow>();
        var total = new RollupRow(Cube.Total, []);
        for (var i = 0; i < users; i++)
        {
            var values = new string[CallFact.DimensionCount];
            Array.Fill(values, Cube.None);
            values[(int)Dimension.Project] = "app";
            values[(int)Dimension.Department] = "research";
            values[(int)Dimension.User] = $"user-{i:D5}-{new string('x', 40)}";
            var fact = new CallFact(values, false, 1_000, 10, 0, 200, 0, 0.0125m, false, 300, 80);
            var row = new RollupRow(Cube.Users, [.. Cube.Users.Dimensions.Select(d => values[(int)d])]);
            row.Add(fact);
            total.Add(fact);
            rows.Add(row);
        }

        rows.Add(total);
        await new RollupStore(_store.Store).ReplaceHourAsync(_tenant, Hour, rows, TestContext.Current.CancellationToken);
    }

    private static Task<int> ExportAsync(ServiceProvider services, string tenant, string runId) =>
        services.GetRequiredService<RollupExport>().ExportAsync(tenant, Hour, runId, TestContext.Current.CancellationToken);

    [Fact]
    public async Task TheHoursRowsArePostedToTheRulesStreamWithABearerTokenForAzureMonitorAsAJsonArray()
    {
        await StoreHourAsync(users: 2);
        using var services = CreateServices();

        var sent = await ExportAsync(services, _tenant, "hourly-2026113010");

        var request = Assert.Single(_endpoint.Requests);
        Assert.Equal(3, sent);
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/dataCollectionRules/{RuleId}/streams/{Stream}", request.Path);
        Assert.Equal("?api-version=2023-01-01", request.Query);
        Assert.Equal($"Bearer {RecordingCredential.Token}", request.Authorization);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal(["https://monitor.azure.com//.default"], _credential.Scopes.Distinct());
        var records = request.Records;
        Assert.Equal(3, records.Count);
        var total = records.Single(r => (string?)r!["Cube"] == "total")!;
        Assert.Equal(_tenant, (string?)total["Tenant"]);
        Assert.Equal("hourly-2026113010", (string?)total["RunId"]);
        Assert.Equal(Hour, total["Hour"]!.GetValue<DateTimeOffset>());
        Assert.Equal(2, (long)total["Calls"]!);
        Assert.Equal(0.025m, (decimal)total["CostUsd"]!);
        var user = records.First(r => (string?)r!["Cube"] == "users")!;
        Assert.Equal("research", (string?)user["Department"]);
        Assert.Null(user["Model"]);
    }

    [Fact]
    public async Task WithGzipTheBodyIsCompressedAndSaysSo()
    {
        await StoreHourAsync(users: 50);
        using var services = CreateServices(gzip: true);

        await ExportAsync(services, _tenant, "hourly-2026113010");

        var request = Assert.Single(_endpoint.Requests);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.True(request.SentBytes < request.Body.Length, $"{request.SentBytes} bytes sent for {request.Body.Length} of JSON");
        Assert.Equal(51, request.Records.Count);
    }

    [Fact]
    public async Task ManyRowsGoInSeveralRequestsEachUnderTheLimitAndNoneIsLost()
    {
        await StoreHourAsync(users: 3_000);
        using var services = CreateServices(new() { [$"{LogsIngestionOptions.Section}:MaxRequestBytes"] = "200000" });

        var sent = await ExportAsync(services, _tenant, "hourly-2026113010");

        var requests = _endpoint.Requests.ToList();
        Assert.True(requests.Count >= 5, $"{requests.Count} requests");
        Assert.All(requests, r => Assert.True(r.Body.Length <= 200_000, $"a request of {r.Body.Length} bytes"));
        var keys = requests.SelectMany(r => r.Records).Select(r => (string)r!["RowKey"]!).ToList();
        Assert.Equal(sent, keys.Count);
        Assert.Equal(3_001, keys.Distinct().Count());
    }

    [Fact]
    public async Task AtTheDefaultLimitEveryRequestStaysUnderTheApisOneMegabyte()
    {
        await StoreHourAsync(users: 6_000);
        using var services = CreateServices();

        await ExportAsync(services, _tenant, "hourly-2026113010");

        var requests = _endpoint.Requests.ToList();
        Assert.True(requests.Count >= 2, $"{requests.Count} requests");
        Assert.All(requests, r => Assert.True(r.Body.Length < LogsIngestionOptions.ApiMaxRequestBytes, $"a request of {r.Body.Length} bytes"));
    }

    [Fact]
    public async Task AServerErrorIsRetriedAndTheSameBodySentAgain()
    {
        await StoreHourAsync(users: 3);
        using var services = CreateServices();
        _endpoint.ThenAnswer(500);

        await ExportAsync(services, _tenant, "hourly-2026113010");

        var requests = _endpoint.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.Equal(requests[0].Body, requests[1].Body);
    }

    [Fact]
    public async Task ThrottlingIsRetriedAfterTheWaitRetryAfterAsks()
    {
        await StoreHourAsync(users: 1);
        using var services = CreateServices();
        _endpoint.ThenAnswer(429, retryAfter: "1");

        await ExportAsync(services, _tenant, "hourly-2026113010");

        var requests = _endpoint.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].At - requests[0].At >= TimeSpan.FromMilliseconds(900), $"retried after {(requests[1].At - requests[0].At).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task ARefusalIsNotRetriedAndFailsTheExportWithTheStatus()
    {
        await StoreHourAsync(users: 1);
        using var services = CreateServices();
        _endpoint.ThenAnswer(403);

        var failure = await Assert.ThrowsAsync<LogsIngestionException>(() => ExportAsync(services, _tenant, "hourly-2026113010"));

        Assert.Single(_endpoint.Requests);
        Assert.Contains("403", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(RecordingCredential.Token, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerErrorsPastTheAttemptsFailTheExport()
    {
        await StoreHourAsync(users: 1);
        using var services = CreateServices(new() { [$"{LogsIngestionOptions.Section}:MaxAttempts"] = "3" });
        _endpoint.ThenAnswer(503);
        _endpoint.ThenAnswer(503);
        _endpoint.ThenAnswer(503);

        await Assert.ThrowsAsync<LogsIngestionException>(() => ExportAsync(services, _tenant, "hourly-2026113010"));

        Assert.Equal(3, _endpoint.Requests.Count);
    }

    [Fact]
    public async Task ARerunOfTheHourSendsTheSameRowKeysUnderItsOwnRunAndALaterTime()
    {
        await StoreHourAsync(users: 20);
        using var services = CreateServices();

        await ExportAsync(services, _tenant, "hourly-2026113010");
        await Task.Delay(20, TestContext.Current.CancellationToken);
        await ExportAsync(services, _tenant, "hourly-2026113011");

        var runs = _endpoint.Requests.SelectMany(r => r.Records).GroupBy(r => (string)r!["RunId"]!).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(2, runs.Count);
        static IEnumerable<string> Keys(List<JsonNode?> records) => records.Select(r => (string)r!["RowKey"]!).Order(StringComparer.Ordinal);
        Assert.Equal(Keys(runs["hourly-2026113010"]), Keys(runs["hourly-2026113011"]));
        Assert.True(runs["hourly-2026113011"][0]!["TimeGenerated"]!.GetValue<DateTimeOffset>() > runs["hourly-2026113010"][0]!["TimeGenerated"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public void AnExportWithoutRuleOrStreamStopsStartUpNamingTheSettings()
    {
        using var services = CreateServices(new()
        {
            [$"{LogsIngestionOptions.Section}:RuleId"] = "my-rule",
            [$"{LogsIngestionOptions.Section}:StreamName"] = "",
        });

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LogsIngestionOptions>>().Value);

        Assert.Contains(failure.Failures, f => f.Contains("TokenTally:Export:LogsIngestion:RuleId", StringComparison.Ordinal));
        Assert.Contains(failure.Failures, f => f.Contains("TokenTally:Export:LogsIngestion:StreamName", StringComparison.Ordinal));
    }

    [Fact]
    public void AnExportConfiguredOnAHostWithoutAnEntraCredentialStopsStartUp()
    {
        using var services = CreateServices(withCredential: false);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<LogsIngestionOptions>>().Value);

        Assert.Contains(failure.Failures, f => f.Contains("no Entra ID credential", StringComparison.Ordinal));
    }

    [Fact]
    public void RunsExportOnlyWhenTheExportIsConfigured()
    {
        using var configured = CreateServices();
        using var unconfigured = CreateServices(new()
        {
            [$"{LogsIngestionOptions.Section}:Endpoint"] = "",
            [$"{LogsIngestionOptions.Section}:RuleId"] = "",
            [$"{LogsIngestionOptions.Section}:StreamName"] = "",
        });

        Assert.True(configured.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings().ExportRollups);
        Assert.False(unconfigured.GetRequiredService<IOptions<PipelineOptions>>().Value.ToRunSettings().ExportRollups);
    }

    public void Dispose()
    {
        _endpoint.Dispose();
        _store.Dispose();
    }
}
