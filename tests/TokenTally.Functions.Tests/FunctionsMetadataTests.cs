using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DurableTask;
using NCrontab;
using TokenTally.Application.Pipeline;
using TokenTally.Functions.Api;
using TokenTally.Functions.Ingestion;
using TokenTally.Functions.Pipeline;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>What the Functions host reads from a real publish of the app: the functions and their bindings, the worker, the extensions, host.json.</summary>
public sealed partial class FunctionsMetadataTests(PublishedApp published)
{
    private IReadOnlyList<JsonElement> Functions => [.. published.ReadJson("functions.metadata").EnumerateArray()];

    [Fact]
    public void TheAppDeclaresExactlyTheApiTheIngestionTheTimerAndThePipelinesOrchestrationsAndActivities()
    {
        string[] expected =
        [
            ApiFunction.Name, IngestEventsFunction.Name, HourlyTimerFunction.Name, HourRun.Name, Backfill.Name, .. PipelineActivities.Names,
        ];

        Assert.Equal(expected.Order(StringComparer.Ordinal), Functions.Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void EveryFunctionHasOneTriggerComingInAndRunsInTheIsolatedWorker()
    {
        Assert.All(Functions, function =>
        {
            var triggers = Bindings(function).Where(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal)).ToList();
            var trigger = Assert.Single(triggers);
            Assert.Equal("In", trigger.GetProperty("direction").GetString());
            Assert.Equal("dotnet-isolated", function.GetProperty("language").GetString());
            Assert.Equal("TokenTally.Functions.dll", function.GetProperty("scriptFile").GetString());
        });
    }

    [Fact]
    public void IngestEventsTakesBatchesOfStringsFromTheConfiguredHubThroughItsOwnConsumerGroup()
    {
        var trigger = Trigger(IngestEventsFunction.Name);

        Assert.Equal("eventHubTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("In", trigger.GetProperty("direction").GetString());
        Assert.Equal("Many", trigger.GetProperty("cardinality").GetString());
        Assert.Equal("String", trigger.GetProperty("dataType").GetString());
        Assert.Equal("%TokenTally__EventHubName%", trigger.GetProperty("eventHubName").GetString());
        Assert.Equal("EventHubConnection", trigger.GetProperty("connection").GetString());
        Assert.Equal("tokentally", trigger.GetProperty("consumerGroup").GetString());
    }

    [Fact]
    public void IngestEventsRetriesAFailedBatchEightTimesBackingOffFromFiveSecondsToFiveMinutes() =>
        AssertRetry(IngestEventsFunction.Name, maxRetryCount: 8, minimumInterval: "00:00:05", maximumInterval: "00:05:00");

    [Fact]
    public void TheHourlyTimerRunsAtFivePastEveryHourWithADurableClient()
    {
        var trigger = Trigger(HourlyTimerFunction.Name);
        var schedule = CrontabSchedule.Parse(trigger.GetProperty("schedule").GetString()!, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

        Assert.Equal("timerTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("0 5 * * * *", trigger.GetProperty("schedule").GetString());
        Assert.Equal(HourRunStarter.Schedule, trigger.GetProperty("schedule").GetString());
        Assert.Equal(new DateTime(2026, 11, 20, 10, 5, 0), schedule.GetNextOccurrence(new DateTime(2026, 11, 20, 9, 5, 0)));
        Assert.Single(Bindings(Function(HourlyTimerFunction.Name)), b => b.GetProperty("type").GetString() == "durableClient" && b.GetProperty("direction").GetString() == "In");
    }

    [Fact]
    public void TheHourlyTimerRetriesFourTimesBackingOffFromTenSecondsToFiveMinutes() =>
        AssertRetry(HourlyTimerFunction.Name, maxRetryCount: 4, minimumInterval: "00:00:10", maximumInterval: "00:05:00");

    [Fact]
    public void TheApiTakesEveryMethodOnEveryRouteAnonymouslyWithADurableClient()
    {
        var trigger = Trigger(ApiFunction.Name);

        Assert.Equal("httpTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("{*path}", trigger.GetProperty("route").GetString());
        Assert.Equal("Anonymous", trigger.GetProperty("authLevel").GetString());
        Assert.Equal(["delete", "get", "patch", "post", "put"], trigger.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).Order(StringComparer.Ordinal));
        Assert.Single(Bindings(Function(ApiFunction.Name)), b => b.GetProperty("type").GetString() == "durableClient" && b.GetProperty("direction").GetString() == "In");
        Assert.False(Function(ApiFunction.Name).TryGetProperty("retry", out _));
    }

    [Fact]
    public void TheOrchestrationAndActivityFunctionsAreExactlyTheTasksTheLocalDurableWorkerRegisters()
    {
        var registry = new DurableTaskRegistry();
        PipelineTasks.Register(registry);

        Assert.Equal(
            registry.GetOrchestrators().Select(o => o.Key.Name).Order(StringComparer.Ordinal),
            FunctionsTriggeredBy("orchestrationTrigger"));
        Assert.Equal(
            registry.GetActivities().Select(a => a.Key.Name).Order(StringComparer.Ordinal),
            FunctionsTriggeredBy("activityTrigger"));
        Assert.Equal(PipelineActivities.Names.Order(StringComparer.Ordinal), FunctionsTriggeredBy("activityTrigger"));
    }

    [Fact]
    public void EverySettingABindingRefersToIsInTheSampleSettings()
    {
        var sample = SampleSettings();
        var referred = Functions.SelectMany(Bindings).SelectMany(SettingsReferredToBy).ToList();

        Assert.Contains("TokenTally__EventHubName", referred);
        Assert.Contains("EventHubConnection", referred);
        Assert.All(referred, setting => Assert.True(
            sample.Any(name => name == setting || name.StartsWith(setting + "__", StringComparison.Ordinal)),
            $"A binding refers to the setting '{setting}', which local.settings.sample.json does not list (for a connection: '{setting}' or '{setting}__…')."));
    }

    [Fact]
    public void TheSampleSettingsRunTheWorkerTheAppIsBuiltFor()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var runtime = sample.RootElement.GetProperty("Values").GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString();

        Assert.Equal(published.ReadJson("worker.config.json").GetProperty("description").GetProperty("language").GetString(), runtime);
    }

    [Fact]
    public void TheWorkerIsDotnetIsolatedWithWorkerIndexing()
    {
        var description = published.ReadJson("worker.config.json").GetProperty("description");

        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.Equal("TokenTally.Functions.dll", description.GetProperty("defaultWorkerPath").GetString());
        Assert.Equal("true", description.GetProperty("workerIndexing").GetString());
        Assert.True(File.Exists(Path.Combine(published.Folder, "TokenTally.Functions.dll")));
    }

    [Fact]
    public void ThePublishCarriesTheDurableTaskExtensionAndNoEventHubsExtensionOutsideTheDeploymentBuild()
    {
        var extensions = published.ReadJson("extensions.json").GetProperty("extensions").EnumerateArray().ToList();
        var durable = Assert.Single(extensions, e => e.GetProperty("name").GetString() == "DurableTask");
        var hintPath = durable.GetProperty("hintPath").GetString()!;

        Assert.StartsWith("./.azurefunctions/", hintPath, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(published.Folder, hintPath)), $"{hintPath} is not in the publish folder.");
        Assert.DoesNotContain(extensions, e => e.GetProperty("name").GetString()!.Contains("EventHubs", StringComparison.OrdinalIgnoreCase));
        Assert.True(Directory.Exists(Path.Combine(published.Folder, ".azurefunctions")));
    }

    [Fact]
    public void HostJsonComesWithThePublishAndServesTheApiUnderApi()
    {
        var host = published.ReadJson("host.json");

        Assert.Equal("2.0", host.GetProperty("version").GetString());
        Assert.Equal("api", host.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void HostJsonHasNoCustomHandlerSectionWhichWouldMakeTheHostRunTheAppAsACustomHandler()
    {
        // The host picks its HTTP worker (custom handler) whenever host.json has one of these sections, whatever
        // FUNCTIONS_WORKER_RUNTIME says; the isolated worker would then never start.
        var host = published.ReadJson("host.json");

        Assert.False(host.TryGetProperty("customHandler", out _), "host.json still has a customHandler section.");
        Assert.False(host.TryGetProperty("httpWorker", out _), "host.json still has an httpWorker section.");
    }

    private JsonElement Function(string name) => Functions.Single(f => f.GetProperty("name").GetString() == name);

    private JsonElement Trigger(string name) =>
        Bindings(Function(name)).Single(b => b.GetProperty("type").GetString()!.EndsWith("Trigger", StringComparison.Ordinal));

    private static IEnumerable<JsonElement> Bindings(JsonElement function) => function.GetProperty("bindings").EnumerateArray();

    private IEnumerable<string> FunctionsTriggeredBy(string type) =>
        Functions.Where(f => Bindings(f).Any(b => b.GetProperty("type").GetString() == type)).Select(f => f.GetProperty("name").GetString()!).Order(StringComparer.Ordinal);

    private void AssertRetry(string function, int maxRetryCount, string minimumInterval, string maximumInterval)
    {
        var retry = Function(function).GetProperty("retry");

        Assert.Equal("exponentialBackoff", retry.GetProperty("strategy").GetString());
        Assert.Equal(maxRetryCount, retry.GetProperty("maxRetryCount").GetInt32());
        Assert.Equal(minimumInterval, retry.GetProperty("minimumInterval").GetString());
        Assert.Equal(maximumInterval, retry.GetProperty("maximumInterval").GetString());
    }

    /// <summary>The app settings a binding reads: <c>%Setting%</c> in any of its values, and its connection (a setting or a prefix).</summary>
    private static IEnumerable<string> SettingsReferredToBy(JsonElement binding)
    {
        foreach (var property in binding.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
        {
            foreach (Match match in SettingExpression().Matches(property.Value.GetString()!))
            {
                yield return match.Groups[1].Value;
            }

            if (property.Name == "connection")
            {
                yield return property.Value.GetString()!;
            }
        }
    }

    private static HashSet<string> SampleSettings()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingExpression();
}
