using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Telemetry;
using TokenTally.Demo;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;
using TokenTally.Local.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Local.Tests;

/// <summary>
/// local.settings.json: local mode reads its <c>Values</c> as the Functions host does, below the command line; and the
/// sample at the root lists every setting the apps read, with the defaults in code and no secret.
/// </summary>
public sealed class LocalSettingsFileTests : IDisposable
{
    /// <summary>Settings read by the Functions host itself, not by our code.</summary>
    private static readonly string[] HostSettings = ["FUNCTIONS_WORKER_RUNTIME", "AzureWebJobsStorage"];

    /// <summary>Settings the apps read outside an options section, under the names Azure gives them.</summary>
    private static readonly string[] PlatformSettings = [TelemetryExport.ConnectionStringSetting];

    private static readonly Assembly[] Apps = [typeof(LocalOptions).Assembly, typeof(PipelineOptions).Assembly, typeof(CosmosOptions).Assembly, typeof(DemoOptions).Assembly];

    private readonly TemporaryFolder _folder = new();

    [Fact]
    public async Task ALocalSettingsFileInTheWorkingDirectoryIsRead()
    {
        await WriteLocalSettingsAsync(new() { ["TokenTally__Ledger__RetentionDays"] = "0" });

        var exit = await ServerRun.UntilExitAsync(_folder.Path, $"--TokenTally:Local:DataPath={_folder.File("data")}", "--TokenTally:Local:Port=0");

        Assert.True(exit.ExitCode == 1, exit.ToString());
        Assert.Contains("TokenTally:Ledger:RetentionDays must be 1-3650", Assert.Single(exit.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CommandLineArgumentsWinOverTheLocalSettingsFile()
    {
        await WriteLocalSettingsAsync(new() { ["TokenTally__Ledger__RetentionDays"] = "0", ["TokenTally__Local__Port"] = "abc" });

        // The server gets a free port and its data folder on the command line too.
        await using var server = await LocalServerProcess.StartAsync(
            ServerBuild.LocalDll, _folder.File("data"), ["--TokenTally:Ledger:RetentionDays=30", "--TokenTally:Local:RunScheduler=false"], null, TestContext.Current.CancellationToken, workingDirectory: _folder.Path);
        using var client = server.CreateClient();

        var health = await client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public void TheSampleSettingsListEverySettingTheAppsReadAndNothingElse()
    {
        var listed = SampleValues().Keys.Order(StringComparer.Ordinal).ToList();
        var options = OptionsClasses().SelectMany(type => SettableProperties(type).Select(p => SettingName(type, p))).ToList();
        var bindings = EventHubTriggerSettings().ToList();

        Assert.True(options.Count > 30, $"Only {options.Count} option settings found: {string.Join(", ", options)}");
        Assert.Equal(["EventHubConnection__fullyQualifiedNamespace", "TokenTally__EventHubName"], bindings.Order(StringComparer.Ordinal));
        Assert.Equal(options.Concat(bindings).Concat(HostSettings).Concat(PlatformSettings).Order(StringComparer.Ordinal), listed);
        Assert.Equal("dotnet-isolated", SampleValues()["FUNCTIONS_WORKER_RUNTIME"]);
    }

    [Fact]
    public void TheSampleValuesAreTheDefaultsInCode()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(SampleValues().Where(v => v.Value.Length > 0).Select(v => KeyValuePair.Create(v.Key.Replace("__", ":", StringComparison.Ordinal), (string?)v.Value)))
            .Build();

        Assert.All(OptionsClasses(), type =>
        {
            var defaults = Activator.CreateInstance(type)!;
            var sample = configuration.GetSection(SectionOf(type)).Get(type) ?? Activator.CreateInstance(type)!;
            Assert.All(SettableProperties(type), property =>
                Assert.True(Equals(property.GetValue(defaults), property.GetValue(sample)), $"{SettingName(type, property)}: the sample says {property.GetValue(sample)}, the code {property.GetValue(defaults)}"));
        });
    }

    [Fact]
    public void TheSampleHoldsNoSecret()
    {
        var secrets = SampleValues().Where(v => v.Key.Split("__")[^1] is "Key" or "KeySha256" or "ConnectionString").ToList();

        Assert.Equal(4, secrets.Count);

        Assert.All(secrets, v => Assert.True(v.Value.Length == 0, $"{v.Key} has a value in the sample."));
        Assert.Equal("UseDevelopmentStorage=true", SampleValues()["AzureWebJobsStorage"]);
        Assert.All(SampleValues().Where(v => v.Key.Contains("Uri", StringComparison.Ordinal) || v.Key.Contains("Endpoint", StringComparison.Ordinal) || v.Key.Contains("Namespace", StringComparison.Ordinal)),
            v => Assert.True(v.Value.Length == 0 || v.Value.Contains('<', StringComparison.Ordinal), $"{v.Key} = '{v.Value}' is neither empty nor a <placeholder>."));
    }

    private async Task WriteLocalSettingsAsync(Dictionary<string, string> values) =>
        await File.WriteAllTextAsync(_folder.File("local.settings.json"), JsonSerializer.Serialize(new { IsEncrypted = false, Values = values }), TestContext.Current.CancellationToken);

    private static Dictionary<string, string> SampleValues()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        return sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>Every options class bound from a section of TokenTally (its <c>Section</c> constant), in every app.</summary>
    private static IEnumerable<Type> OptionsClasses() => Apps.SelectMany(a => a.GetTypes())
        .Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && ((string)field.GetRawConstantValue()!).StartsWith("TokenTally:", StringComparison.Ordinal));

    private static string SectionOf(Type type) => (string)type.GetField("Section")!.GetRawConstantValue()!;

    private static IEnumerable<PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    private static string SettingName(Type type, PropertyInfo property) => $"{SectionOf(type).Replace(":", "__", StringComparison.Ordinal)}__{property.Name}";

    /// <summary>The app settings the Event Hubs trigger names: its hub (<c>%Setting%</c>) and its connection's namespace.</summary>
    private static IEnumerable<string> EventHubTriggerSettings()
    {
        var triggers = typeof(CosmosOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods())
            .SelectMany(m => m.GetParameters())
            .Select(p => p.GetCustomAttribute<EventHubTriggerAttribute>())
            .OfType<EventHubTriggerAttribute>()
            .ToList();
        Assert.NotEmpty(triggers);
        foreach (var trigger in triggers)
        {
            if (trigger.EventHubName is ['%', .. var setting, '%'])
            {
                yield return setting;
            }

            if (trigger.Connection is { } connection)
            {
                yield return connection + "__fullyQualifiedNamespace";
            }
        }
    }

    public void Dispose() => _folder.Dispose();
}
