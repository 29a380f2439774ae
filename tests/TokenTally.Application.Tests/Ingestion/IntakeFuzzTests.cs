using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Ingestion;
using TokenTally.Application.Tests.Hosts;

namespace TokenTally.Application.Tests.Ingestion;

/// <summary>
/// No input fails a batch or an invocation: random byte- and token-level mutations of valid batches, sent over HTTP (JSON
/// and NDJSON) and through the Event Hubs intake, never answer 5xx or throw, and every record left intact is stored.
/// A fixed seed and a bounded count run in CI; TOKENTALLY_FUZZ_COUNT and TOKENTALLY_FUZZ_SEED run more by hand.
/// </summary>
public sealed class IntakeFuzzTests : IAsyncLifetime
{
    private static readonly int Count = int.TryParse(Environment.GetEnvironmentVariable("TOKENTALLY_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var count) ? count : 120;
    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable("TOKENTALLY_FUZZ_SEED"), CultureInfo.InvariantCulture, out var seed) ? seed : 20261203;

    private static readonly string[] Hostile =
    [
        "\\ud800", "\\udfff", "\\u0000", "\\ud83d\\u0041", "null", "true", "[]", "{}", "1e400", "-1", "99999999999999999999999", "\"x\"",
        "\"" + new string('z', 300) + "\"", "\"\\ud800\"", "\"2026-13-45T99:99:99Z\"",
    ];

    private static readonly byte[][] HostileBytes = [[0xC3, 0x28], [0xF0, 0x9F], [0xED, 0xA0, 0x80], [0xFF], [0x00], [(byte)'\n'], [(byte)'"'], [(byte)'}'], [(byte)','], [(byte)'\\']];

    private LocalApiHost _host = null!;
    private ApiSession _session = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await LocalApiHost.StartAsync(["--TokenTally:Ingestion:RequestsPerSecondPerKey=100000", "--TokenTally:Ingestion:BurstPerKey=100000"]);
        _session = await ApiSession.CreateAsync(_host, ["ingest", "read:project"]);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task MutatedJsonBatchesNeverFailTheRequestAndLoseNoIntactRecord()
    {
        var random = new Random(Seed);
        for (var round = 0; round < Count; round++)
        {
            var records = Records(random, round);
            var (mutated, touched) = Mutate(random, records);
            var body = "[" + string.Join(",", mutated) + "]";

            var response = await _session.PostEventsAsync(body);
            Assert.True((int)response.StatusCode < 500, $"Round {round}: {(int)response.StatusCode} for {body}");

            if (IsArrayOf(body, records.Count))
            {
                await AssertStoredAsync(records.Where((_, i) => !touched.Contains(i)), round, body);
            }
        }
    }

    [Fact]
    public async Task MutatedNdJsonBatchesNeverFailTheRequestAndLoseNoIntactLine()
    {
        var random = new Random(Seed + 1);
        for (var round = 0; round < Count; round++)
        {
            var records = Records(random, round);
            var (mutated, touched) = Mutate(random, records);
            var body = string.Join("\n", mutated);

            var response = await _session.PostEventsAsync(body, "application/x-ndjson");
            Assert.True((int)response.StatusCode < 500, $"Round {round}: {(int)response.StatusCode} for {body}");

            var lines = body.Split('\n').ToHashSet();
            await AssertStoredAsync(records.Where((record, i) => !touched.Contains(i) && lines.Contains(record)), round, body);
        }
    }

    [Fact]
    public async Task MutatedEventHubEventsNeverFailTheInvocationAndEachBadOneIsDeadLetteredAlone()
    {
        var intake = _host.Services.GetRequiredService<EventHubIntake>();
        var random = new Random(Seed + 2);
        for (var round = 0; round < Count / 2; round++)
        {
            var records = Records(random, round);
            var (mutated, touched) = Mutate(random, records);
            var events = mutated.Select((body, i) => new EventHubEvent(body, new Dictionary<string, string> { ["api-key"] = _session.Key }, $"{round * 10 + i}", round * 10L + i, DateTimeOffset.UtcNow)).ToList();

            var result = await intake.IngestAsync(new EventHubBatch("llm-calls", "0", events), TestContext.Current.CancellationToken);

            Assert.Equal(events.Count, result.Events);
            Assert.True(result.Accepted + result.DeadLettered >= events.Count - touched.Count, $"Round {round}: {result}");
            await AssertStoredAsync(records.Where((_, i) => !touched.Contains(i)), round, string.Join(" | ", mutated));
        }
    }

    private async Task AssertStoredAsync(IEnumerable<string> intact, int round, string body)
    {
        foreach (var record in intact)
        {
            var id = JsonDocument.Parse(record).RootElement.GetProperty("id").GetString()!;
            var response = await _session.GetAsync($"/api/v1/calls/{id}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"Round {round}: intact record {id} was not stored from {body}");
        }
    }

    /// <summary>Five valid records with every kind of field.</summary>
    private static List<string> Records(Random random, int round) =>
        Enumerable.Range(0, 5).Select(i => CallRecords.Record(
            $"fuzz-{Seed}-{round}-{i}-{random.Next():x}", DateTimeOffset.UtcNow.AddMinutes(-random.Next(1, 600)),
            model: i % 2 == 0 ? "gpt-4o" : "claude-sonnet-4-5", provider: i % 2 == 0 ? "openai" : "anthropic", input: 100 + random.Next(5000), output: random.Next(900),
            extra: $",\"userId\":\"u-{random.Next(50)}\",\"latencyMs\":{random.Next(10, 5000)},\"status\":\"ok\",\"tags\":{{\"team\":\"t{random.Next(5)}\",\"feature\":\"f\"}},\"traceId\":\"{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}\"")).ToList();

    /// <summary>Mutates one to three records, by bytes or by tokens; returns the batch and which records were touched.</summary>
    private static (List<string> Records, HashSet<int> Touched) Mutate(Random random, List<string> records)
    {
        var result = records.ToList();
        var touched = new HashSet<int>();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            var index = random.Next(result.Count);
            touched.Add(index);
            result[index] = random.Next(2) == 0 ? MutateBytes(random, result[index]) : MutateTokens(random, result[index]);
        }

        return (result, touched);
    }

    private static string MutateBytes(Random random, string record)
    {
        var bytes = Encoding.UTF8.GetBytes(record).ToList();
        var at = random.Next(bytes.Count);
        switch (random.Next(4))
        {
            case 0:
                bytes[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1:
                bytes.RemoveAt(at);
                break;
            case 2:
                bytes.InsertRange(at, HostileBytes[random.Next(HostileBytes.Length)]);
                break;
            default:
                bytes.InsertRange(at, Encoding.UTF8.GetBytes(Hostile[random.Next(3)]));
                break;
        }

        // Invalid UTF-8 survives as U+FFFD in a .NET string; the HTTP body is rebuilt from this text, so it is sent as such.
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>Mutates a record's tokens; one that an earlier mutation left unreadable is mutated by bytes instead.</summary>
    private static string MutateTokens(Random random, string record)
    {
        System.Text.Json.Nodes.JsonObject node;
        List<string> names;
        try
        {
            node = System.Text.Json.Nodes.JsonNode.Parse(record)!.AsObject();
            names = node.Select(p => p.Key).Where(k => k != "id").ToList();
            _ = node.ToJsonString();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException)
        {
            return MutateBytes(random, record);
        }

        var name = names[random.Next(names.Count)];
        var json = record;
        switch (random.Next(5))
        {
            case 0:
                // The same property twice.
                return json.Insert(json.Length - 1, $",\"{name}\":{node[name]!.ToJsonString()}");
            case 1:
                return json.Replace($"\"{name}\":{node[name]!.ToJsonString()}", $"\"{name}\":{Hostile[random.Next(Hostile.Length)]}", StringComparison.Ordinal);
            case 2:
                // A hostile escape in a property name or a tag key.
                return json.Replace("\"team\"", "\"te\\ud800am\"", StringComparison.Ordinal).Replace($"\"{name}\":", $"\"{name}\\udfff\":", StringComparison.Ordinal);
            case 3:
                return json.Replace($"\"{name}\":{node[name]!.ToJsonString()}", $"\"{name}\":\"{Hostile[random.Next(3)]}\"", StringComparison.Ordinal);
            default:
                // Swap two values.
                var other = names[random.Next(names.Count)];
                return json.Replace($"\"{name}\":{node[name]!.ToJsonString()}", $"\"{name}\":{node[other]!.ToJsonString()}", StringComparison.Ordinal);
        }
    }

    private static bool IsArrayOf(string body, int count)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Array && document.RootElement.GetArrayLength() == count;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
