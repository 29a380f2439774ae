using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TokenTally.Application.Hosting;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Ingestion.Lag;
using TokenTally.Storage.Documents;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Hosting;

/// <summary>The worker's composition refuses to start on a configuration it cannot run with, and names each setting.</summary>
public sealed class FunctionsStartupTests
{
    [Fact]
    public async Task WithoutCosmosAndStorageSettingsStartUpFailsNamingBothSettings()
    {
        using var host = Build([]);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(TestContext.Current.CancellationToken));

        var failures = ValidationFailures(error);
        Assert.True(failures.Any(f => f.StartsWith("TokenTally:Cosmos:Endpoint is required (app setting TokenTally__Cosmos__Endpoint)", StringComparison.Ordinal)), error.ToString());
        Assert.True(failures.Any(f => f.StartsWith("TokenTally:Storage:BlobServiceUri is required (app setting TokenTally__Storage__BlobServiceUri)", StringComparison.Ordinal)), error.ToString());
        Assert.True(failures.Any(f => f.StartsWith("TokenTally:Storage:TableServiceUri is required (app setting TokenTally__Storage__TableServiceUri)", StringComparison.Ordinal)), error.ToString());
    }

    [Fact]
    public void WithNothingPlacedInCosmosTheCosmosSettingsAreNotNeeded()
    {
        using var host = Build(new()
        {
            ["TokenTally:Documents:Traces"] = "Tables",
            ["TokenTally:Storage:BlobServiceUri"] = "https://account.blob.core.windows.net",
            ["TokenTally:Storage:TableServiceUri"] = "https://account.table.core.windows.net",
        });

        Assert.Null(host.Services.GetRequiredService<IOptions<CosmosOptions>>().Value.Endpoint);
        Assert.Equal(DocumentBackend.Tables, host.Services.GetRequiredService<IOptions<DocumentPlacementOptions>>().Value.Traces);
    }

    [Fact]
    public void TheDefaultSplitKeepsTheLedgerRollupsConfigurationAndRunsInTablesAndTracesInCosmos()
    {
        var placement = new DocumentPlacementOptions();

        Assert.Equal(
            [DocumentBackend.Tables, DocumentBackend.Cosmos, DocumentBackend.Tables, DocumentBackend.Tables, DocumentBackend.Tables],
            Enum.GetValues<DocumentContainer>().Select(placement.BackendOf));
        Assert.Equal([DocumentContainer.Calls, DocumentContainer.Traces, DocumentContainer.Rollups, DocumentContainer.Config, DocumentContainer.Runs], Enum.GetValues<DocumentContainer>());
    }

    [Theory]
    [InlineData("1abc")]
    [InlineData("with-dash")]
    public void ATablePrefixTheServiceWouldRefuseIsRefusedByName(string prefix)
    {
        using var host = Build(new() { ["TokenTally:Storage:ConnectionString"] = "UseDevelopmentStorage=true", ["TokenTally:Storage:TablePrefix"] = prefix });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<StorageAccountOptions>>().Value);

        Assert.Contains($"TokenTally:Storage:TablePrefix must be at most 40 letters and digits, starting with a letter; '{prefix}' is not.", error.Failures);
    }

    [Fact]
    public async Task TheWorkersStartUpMessageNamesEverySettingThatFailed()
    {
        using var host = Build([]);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync(TestContext.Current.CancellationToken));

        // Program.cs prints this one line instead of a stack trace.
        Assert.True(StartupErrors.TryDescribe(error, out var problem), $"The start-up error is not described: {error}");
        Assert.Contains("TokenTally:Cosmos:Endpoint is required", problem, StringComparison.Ordinal);
        Assert.Contains("TokenTally:Storage:BlobServiceUri is required", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void APlainHttpCosmosEndpointIsRefusedByName()
    {
        using var host = Build(new() { ["TokenTally:Cosmos:Endpoint"] = "http://example.documents.azure.com:443/" });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<CosmosOptions>>().Value);

        Assert.Contains("TokenTally:Cosmos:Endpoint must be an absolute https URL; 'http://example.documents.azure.com:443/' is not.", error.Failures);
    }

    [Fact]
    public void AStorageUriThatIsNotAUrlIsRefusedByName()
    {
        using var host = Build(new() { ["TokenTally:Storage:BlobServiceUri"] = "blobs-please" });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<StorageAccountOptions>>().Value);

        Assert.Contains("TokenTally:Storage:BlobServiceUri must be an absolute URL; 'blobs-please' is not.", error.Failures);
    }

    [Fact]
    public void AnHttpsEndpointAndAStorageConnectionStringAreEnough()
    {
        using var host = Build(new()
        {
            ["TokenTally:Cosmos:Endpoint"] = "https://example.documents.azure.com:443/",
            ["TokenTally:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        });

        Assert.Equal("https://example.documents.azure.com:443/", host.Services.GetRequiredService<IOptions<CosmosOptions>>().Value.Endpoint);
        Assert.Equal("tokentally", host.Services.GetRequiredService<IOptions<CosmosOptions>>().Value.Database);
        Assert.Null(host.Services.GetRequiredService<IOptions<StorageAccountOptions>>().Value.BlobServiceUri);
    }

    [Fact]
    public void AHubWithoutTheHostsStorageIsRefusedNamingTheStorageSettings()
    {
        using var host = Build(new()
        {
            ["TokenTally:EventHubName"] = "llm-calls",
            ["EventHubConnection:fullyQualifiedNamespace"] = "tokentally.servicebus.windows.net",
            ["TokenTally:IntakeLag:MaxEventsBehind"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<IntakeLagOptions>>().Value);

        Assert.Equal(
            [
                "TokenTally:IntakeLag:MaxEventsBehind must be 1 or more (app setting TokenTally__IntakeLag__MaxEventsBehind).",
                "AzureWebJobsStorage (a connection string), AzureWebJobsStorage__blobServiceUri or AzureWebJobsStorage__accountName is needed to read the intake's checkpoints.",
            ],
            error.Failures);
    }

    [Fact]
    public void WithoutAHubThereIsNoIntakeLagCheckAndNoStorageSettingIsAskedFor()
    {
        using var host = Build([]);

        var health = host.Services.GetRequiredService<IOptions<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckServiceOptions>>().Value;

        Assert.DoesNotContain(health.Registrations, r => r.Name == IntakeLagCheck.Name);
        Assert.Equal(10_000, host.Services.GetRequiredService<IOptions<IntakeLagOptions>>().Value.MaxEventsBehind);
    }

    [Fact]
    public void TheSampleSettingsListEverySettingTheWorkerReads()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var listed = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var optionTypes = new[] { typeof(FunctionsSetup).Assembly, typeof(ApplicationSetup).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .ToList();

        var expected = optionTypes.SelectMany(type =>
        {
            var section = ((string)type.GetField("Section")!.GetValue(null)!).Replace(":", "__", StringComparison.Ordinal);
            return type.GetProperties().Where(p => p.CanWrite).Select(p => $"{section}__{p.Name}");
        }).ToList();

        Assert.Contains("TokenTally__Cosmos__Endpoint", expected);
        var missing = expected.Where(setting => !listed.Contains(setting)).ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json does not list: " + string.Join(", ", missing));
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddTokenTallyFunctions(builder.Configuration);
        return builder.Build();
    }

    private static List<string> ValidationFailures(Exception error) => error switch
    {
        OptionsValidationException invalid => [.. invalid.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(ValidationFailures)],
        _ => throw new Xunit.Sdk.XunitException($"Start-up failed otherwise than by validation: {error}"),
    };
}
