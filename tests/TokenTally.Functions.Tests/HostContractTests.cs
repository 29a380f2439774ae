using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TokenTally.Core.Pipeline;
using TokenTally.Core.Scheduling;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>For every function.json, the exact payload the Functions host would send, and the answer it needs.</summary>
public sealed class HostContractTests : ServerTests
{
    public static TheoryData<string> FunctionNames => new(Directory.EnumerateDirectories(RepositoryPaths.Functions)
        .Where(d => File.Exists(Path.Combine(d, "function.json")))
        .Select(Path.GetFileName)
        .Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public async Task EveryFunctionAnswersTheHostsPayload(string function)
    {
        var samplePath = Path.Combine(AppContext.BaseDirectory, "HostPayloads", function + ".json");
        Assert.True(File.Exists(samplePath), $"functions/{function}/function.json has no host payload sample at tests/TokenTally.Functions.Tests/HostPayloads/{function}.json");
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(samplePath, TestContext.Current.CancellationToken));
        var trigger = FunctionTrigger(function);

        if (trigger.GetProperty("type").GetString() == "httpTrigger")
        {
            // Forwarded HTTP: the host replays the caller's request under routePrefix, plus its own headers.
            using var request = new HttpRequestMessage(new HttpMethod(sample.RootElement.GetProperty("method").GetString()!), sample.RootElement.GetProperty("path").GetString());
            foreach (var header in sample.RootElement.GetProperty("headers").EnumerateObject())
            {
                request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
            }

            var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(sample.RootElement.GetProperty("expectStatus").GetInt32(), (int)response.StatusCode);
            return;
        }

        var invocation = await InvokeAsync(function, sample.RootElement.GetRawText());
        Assert.Equal(HttpStatusCode.OK, invocation.StatusCode);
        Assert.Equal("application/json", invocation.Content.Headers.ContentType?.MediaType);
        var body = await invocation.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.Equal(JsonValueKind.Object, body.GetProperty("Outputs").ValueKind);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("Logs").ValueKind);
        Assert.True(body.TryGetProperty("ReturnValue", out _));
    }

    [Fact]
    public async Task TheHourlyTimerRecordsARunForTheLastClosedHour()
    {
        var payload = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "HostPayloads", "HourlyPipeline.json"), TestContext.Current.CancellationToken);

        var response = await InvokeAsync("HourlyPipeline", payload);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var run = await new PipelineRunStore(Server.Store).GetAsync(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("2026-11-20T09", body.GetProperty("Logs")[0].GetString());
        Assert.NotNull(run);
        Assert.Equal("2026-11-20T09", run.Run.Id);
        Assert.Equal("timer", run.Run.Trigger);
        Assert.Equal(RunStatus.Succeeded, run.Run.Status);
        Assert.NotNull(run.Run.CompletedAt);
        Assert.Equal(PipelineSteps.InOrder, run.Run.Steps.Select(s => s.Name));
        Assert.Equal(
            [StepStatus.Succeeded, StepStatus.NotConfigured, StepStatus.NotConfigured, StepStatus.NotConfigured, StepStatus.NotConfigured, StepStatus.Succeeded],
            run.Run.Steps.Select(s => s.Status));
    }

    [Fact]
    public async Task TheTimerPayloadIsAlsoReadWhenTheHostDoubleEncodesIt()
    {
        var timer = JsonSerializer.Serialize(new { Schedule = new { AdjustForDST = true }, ScheduleStatus = (object?)null, IsPastDue = true });
        var payload = JsonSerializer.Serialize(new
        {
            Data = new { timer },
            Metadata = new { sys = new { MethodName = "HourlyPipeline", UtcNow = "2026-11-20T13:40:00Z", RandGuid = Guid.NewGuid() } },
        });

        var response = await InvokeAsync("HourlyPipeline", payload);
        var run = await new PipelineRunStore(Server.Store).GetAsync(new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(run);
        Assert.Contains("past due", (await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("Logs")[0].GetString());
    }

    [Fact]
    public async Task ASecondFiringForACompletedHourChangesNothing()
    {
        var payload = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "HostPayloads", "HourlyPipeline.json"), TestContext.Current.CancellationToken);
        await InvokeAsync("HourlyPipeline", payload);
        var first = await new PipelineRunStore(Server.Store).GetAsync(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), TestContext.Current.CancellationToken);

        var again = await InvokeAsync("HourlyPipeline", payload);
        var second = await new PipelineRunStore(Server.Store).GetAsync(new DateTimeOffset(2026, 11, 20, 9, 0, 0, TimeSpan.Zero), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("AlreadyCompleted", (await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)).GetProperty("Logs")[0].GetString());
        Assert.Equal(first!.ETag, second!.ETag);
        Assert.Equal(1, second.Run.Attempts);
    }

    [Fact]
    public async Task HostJsonConfiguresTheCustomHandlerAsTheHostExpects()
    {
        using var host = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "host.json"), TestContext.Current.CancellationToken));
        var root = host.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.Equal("Microsoft.Azure.Functions.ExtensionBundle", root.GetProperty("extensionBundle").GetProperty("id").GetString());
        Assert.Equal("[4.*, 5.0.0)", root.GetProperty("extensionBundle").GetProperty("version").GetString());
        Assert.Equal("api", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        var handler = root.GetProperty("customHandler");
        Assert.Equal("app/TokenTally.Functions", handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString());
        Assert.True(handler.GetProperty("enableForwardingHttpRequest").GetBoolean());
    }

    [Theory]
    [MemberData(nameof(FunctionNames))]
    public void EveryFunctionJsonIsValidForTheHost(string function)
    {
        var trigger = FunctionTrigger(function);
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Functions, function, "function.json")));
        var bindings = document.RootElement.GetProperty("bindings").EnumerateArray().ToList();

        Assert.All(bindings, b => Assert.False(string.IsNullOrEmpty(b.GetProperty("name").GetString())));
        switch (trigger.GetProperty("type").GetString())
        {
            case "httpTrigger":
                // Forwarding works only for exactly one httpTrigger in and one http out.
                Assert.Equal(2, bindings.Count);
                Assert.Single(bindings, b => b.GetProperty("type").GetString() == "http" && b.GetProperty("direction").GetString() == "out");
                break;
            case "timerTrigger":
                Assert.True(NCrontabSchedule.TryParse(trigger.GetProperty("schedule").GetString()!, out _, out var error), error);
                break;
        }
    }

    [Fact]
    public void TheHourlyPipelineRunsAtFivePastEveryHour()
    {
        var schedule = NCrontabSchedule.Parse(FunctionTrigger("HourlyPipeline").GetProperty("schedule").GetString()!);

        Assert.Equal(new DateTimeOffset(2026, 11, 20, 10, 5, 0, TimeSpan.Zero), schedule.GetNextOccurrence(new DateTimeOffset(2026, 11, 20, 9, 5, 0, TimeSpan.Zero)));
    }

    private static JsonElement FunctionTrigger(string function)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Functions, function, "function.json")));
        return document.RootElement.GetProperty("bindings").EnumerateArray()
            .Single(b => b.GetProperty("direction").GetString() == "in" && b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal))
            .Clone();
    }

    private Task<HttpResponseMessage> InvokeAsync(string function, string payload)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/" + function) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        request.Headers.Add("X-Azure-Functions-HostVersion", "4.1040.300.25317");
        request.Headers.UserAgent.ParseAdd("Azure-Functions-Host/4.1040.300.25317");
        return Client.SendAsync(request, TestContext.Current.CancellationToken);
    }
}
