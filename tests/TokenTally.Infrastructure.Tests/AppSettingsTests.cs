using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Export;
using TokenTally.Application.Projects;
using TokenTally.Application.SignIn;
using TokenTally.Application.Telemetry;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion;

namespace TokenTally.Infrastructure.Tests;

/// <summary>The Function App's settings in the compiled template against what the code reads.</summary>
public sealed partial class AppSettingsTests(CompiledTemplates compiled)
{
    /// <summary>Settings with no usable default in Azure, each named from the code that reads it.</summary>
    private static readonly string[] RequiredInAzure =
    [
        "AZURE_CLIENT_ID",
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        TelemetryExport.ConnectionStringSetting,
        IngestEventsFunction.EventHubNameSetting,
        $"{IngestEventsFunction.Connection}__fullyQualifiedNamespace",
        $"{IngestEventsFunction.Connection}__credential",
        $"{IngestEventsFunction.Connection}__clientId",
        Setting(StorageAccountOptions.Section, nameof(StorageAccountOptions.BlobServiceUri)),
        Setting(StorageAccountOptions.Section, nameof(StorageAccountOptions.TableServiceUri)),
        Setting(StorageAccountOptions.Section, nameof(StorageAccountOptions.TablePrefix)),
        Setting(CosmosOptions.Section, nameof(CosmosOptions.Endpoint)),
        Setting(CosmosOptions.Section, nameof(CosmosOptions.Database)),
        Setting(AdminOptions.Section, nameof(AdminOptions.KeySha256)),
        Setting(AlertChannelOptions.Section, nameof(AlertChannelOptions.DashboardUrl)),
        Setting(LogsIngestionOptions.Section, nameof(LogsIngestionOptions.Endpoint)),
        Setting(LogsIngestionOptions.Section, nameof(LogsIngestionOptions.RuleId)),
        Setting(LogsIngestionOptions.Section, nameof(LogsIngestionOptions.StreamName)),

        // The Key Vault-backed channel secret store (issue 14, Must 5) reads this one.
        "TokenTally__Alerts__Secrets__KeyVaultUri",

        // Sign-in: off unless an app registration is given, and then how a person's tenant is found.
        Setting(EntraSignInOptions.Section, nameof(EntraSignInOptions.Enabled)),
        Setting(EntraSignInOptions.Section, nameof(EntraSignInOptions.TenantClaim)),
        Setting(EntraSignInOptions.Section, nameof(EntraSignInOptions.DefaultTenant)),
    ];

    /// <summary>
    /// Settings an options class reads that the Function App deliberately leaves at the code's default, because the default
    /// is right in Azure or the setting is for another host. A setting a new feature adds must land here or on the app.
    /// </summary>
    private static readonly string[] LeftAtDefault =
    [
        // Limits and tuning whose defaults are the documented ones (README, Configuration).
        "TokenTally__Alerts__Channels__AcsApiVersion",
        "TokenTally__Alerts__Channels__AttemptTimeout",
        "TokenTally__Alerts__Channels__FirstRetryDelay",
        "TokenTally__Alerts__Channels__MaxAttempts",
        "TokenTally__Alerts__Channels__MaxRetryDelay",
        "TokenTally__Budgets__Status__MaxAgeSeconds",
        "TokenTally__Budgets__Status__MaxEntries",
        "TokenTally__Cosmos__ReadMode",
        "TokenTally__Export__LogsIngestion__FirstRetryDelay",
        "TokenTally__Export__LogsIngestion__Gzip",
        "TokenTally__Export__LogsIngestion__MaxAttempts",
        "TokenTally__Export__LogsIngestion__MaxRequestBytes",
        "TokenTally__Export__LogsIngestion__Scope",
        "TokenTally__Ingestion__BurstPerKey",
        "TokenTally__Ingestion__MaxBodyBytes",
        "TokenTally__Ingestion__MaxEventsPerBatch",
        "TokenTally__Ingestion__RequestsPerSecondPerKey",
        "TokenTally__IntakeLag__MaxEventsBehind",
        "TokenTally__Ledger__RetentionDays",
        "TokenTally__Pipeline__ActivityAttempts",
        "TokenTally__Pipeline__FallbackHours",
        "TokenTally__Pipeline__FirstRetryInterval",
        "TokenTally__Pipeline__MaxBackfillHours",
        "TokenTally__Pipeline__MaxChangedHoursPerRun",
        "TokenTally__Pipeline__MaxParallelism",
        "TokenTally__Rollups__TopUsersPerHour",

        // The default placement (traces in Cosmos DB, the rest in Table Storage); the template creates both kinds of container.
        "TokenTally__Documents__Calls",
        "TokenTally__Documents__Config",
        "TokenTally__Documents__Rollups",
        "TokenTally__Documents__Runs",
        "TokenTally__Documents__Traces",

        // The template creates the containers and tables; the identity has data roles only, so creating them could not work.
        "TokenTally__Cosmos__CreateIfNotExists",
        "TokenTally__Storage__CreateTablesIfNotExists",

        // Keys and connection strings: never in Azure, where every service is reached as the identity.
        "TokenTally__Cosmos__Key",
        "TokenTally__Storage__ConnectionString",

        // Loopback webhooks are for tests and local mode; Azure sends to public https endpoints only.
        "TokenTally__Alerts__Channels__AllowLoopbackHttp",

        // OTLP is an alternative to Application Insights, which the template sets up.
        "TokenTally__Telemetry__OtlpEndpoint",
        "TokenTally__Telemetry__OtlpProtocol",
        "TokenTally__Telemetry__ServiceName",
    ];

    private static string Setting(string section, string property) => $"{section}:{property}".Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The names main.bicep passes to the function-app module, plus those the module adds itself.</summary>
    private IReadOnlySet<string> Settings()
    {
        var names = ArmTemplate.ModuleParameter(compiled.Main, "function-app", "appSettings")!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        var config = ArmTemplate.AllResources(ArmTemplate.NestedTemplate(compiled.Main, "function-app"))
            .Single(r => (string?)r.Resource["type"] == "Microsoft.Web/sites/config" && ((string)r.Resource["name"]!).EndsWith("'appsettings')]", StringComparison.Ordinal)).Resource;
        foreach (Match added in QuotedSettingName().Matches((string)config["properties"]!))
        {
            names.Add(added.Groups[1].Value);
        }

        return names;
    }

    [Fact]
    public void EverySettingTheAppNeedsInAzureIsSetOnTheFunctionApp()
    {
        var missing = RequiredInAzure.Where(s => !Settings().Contains(s)).ToList();

        Assert.True(missing.Count == 0, "Not set on the Function App: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryTokenTallySettingOnTheFunctionAppIsAPropertyOfAnOptionsClass()
    {
        var known = OptionsProperties();
        var unknown = Settings().Where(s => s.StartsWith("TokenTally__", StringComparison.Ordinal))
            .Except([IngestEventsFunction.EventHubNameSetting, "TokenTally__Alerts__Secrets__KeyVaultUri"])
            .Where(s => !known.Contains(s.Replace("__", ":", StringComparison.Ordinal)))
            .ToList();

        Assert.True(unknown.Count == 0, "No options class reads: " + string.Join(", ", unknown));
    }

    [Fact]
    public void EverySettingAnOptionsClassReadsIsSetOnTheFunctionAppOrDeliberatelyLeftAtItsDefault()
    {
        var settings = Settings();
        var undecided = OptionsProperties().Select(p => p.Replace(":", "__", StringComparison.Ordinal))
            .Where(s => !settings.Contains(s) && !LeftAtDefault.Contains(s))
            .Order(StringComparer.Ordinal)
            .ToList();
        var stale = LeftAtDefault.Where(settings.Contains).ToList();

        Assert.True(undecided.Count == 0, "Neither set on the Function App nor listed as left at its default: " + string.Join(", ", undecided));
        Assert.True(stale.Count == 0, "Listed as left at its default but set on the Function App: " + string.Join(", ", stale));
    }

    [Fact]
    public void TheIdentityBasedConnectionsUseTheUserAssignedIdentity()
    {
        var settings = ArmTemplate.ModuleParameter(compiled.Main, "function-app", "appSettings")!.AsObject();

        Assert.Equal("managedidentity", (string?)settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("managedidentity", (string?)settings[$"{IngestEventsFunction.Connection}__credential"]);
        var clientId = (string?)settings["AZURE_CLIENT_ID"];
        Assert.Contains("clientId", clientId, StringComparison.Ordinal);
        Assert.Equal(clientId, (string?)settings["AzureWebJobsStorage__clientId"]);
        Assert.Equal(clientId, (string?)settings[$"{IngestEventsFunction.Connection}__clientId"]);
    }

    [Fact]
    public void EveryConnectionAndSettingExpressionInFunctionsMetadataHasItsSettings()
    {
        using var metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "functions.metadata")));
        var settings = Settings();
        var bindings = metadata.RootElement.EnumerateArray().SelectMany(f => f.GetProperty("bindings").EnumerateArray()).ToList();
        Assert.Contains(bindings, b => b.GetProperty("type").GetString() == "eventHubTrigger");

        foreach (var binding in bindings)
        {
            if (binding.TryGetProperty("connection", out var connection) && connection.GetString() is { Length: > 0 } name)
            {
                Assert.True(settings.Contains(name) || settings.Contains($"{name}__fullyQualifiedNamespace") || settings.Contains($"{name}__accountName"), $"Connection {name} has no settings.");
            }

            foreach (var property in binding.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                foreach (Match expression in SettingExpression().Matches(property.Value.GetString()!))
                {
                    Assert.Contains(expression.Groups[1].Value, settings);
                }
            }
        }

        // Durable Functions and the timer keep their state in the host's storage: identity-based AzureWebJobsStorage.
        Assert.Contains(bindings, b => b.GetProperty("type").GetString() is "orchestrationTrigger" or "durableClient");
        Assert.Contains("AzureWebJobsStorage__accountName", settings);
    }

    private static HashSet<string> OptionsProperties()
    {
        var assemblies = new[] { typeof(AzureStores).Assembly, typeof(LogsIngestionOptions).Assembly };
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field && field.GetRawConstantValue() is string section)
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
                {
                    paths.Add($"{section}:{property.Name}");
                }
            }
        }

        return paths;
    }

    [GeneratedRegex(@"'([A-Za-z_]+__[A-Za-z_]+(?:__[A-Za-z_]+)*)'")]
    private static partial Regex QuotedSettingName();

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingExpression();
}
