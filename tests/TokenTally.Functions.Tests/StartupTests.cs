using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Options;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Tests.Infrastructure;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests;

/// <summary>The server refuses to start on a broken contract or configuration, and says exactly why.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly TemporaryScriptRoot _functions = new();

    [Fact]
    public async Task AFunctionJsonWithoutAHandlerStopsStartUpAndNamesIt()
    {
        _functions.Write("Orphan", """{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "orphans" } ] }""");
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Functions:ScriptRoot"] = _functions.Path });

        var error = Assert.ThrowsAny<Exception>(() => server.Start());

        Assert.Contains("Function 'Orphan' (Orphan/function.json, queueTrigger) has no handler", Flatten(error));
    }

    [Fact]
    public async Task AHandlerWithoutAFunctionJsonStopsStartUpAndNamesIt()
    {
        _functions.Remove("HourlyPipeline");
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Functions:ScriptRoot"] = _functions.Path });

        var error = Assert.ThrowsAny<Exception>(() => server.Start());

        Assert.Contains("Handler 'HourlyPipeline' has no function.json", Flatten(error));
    }

    [Fact]
    public async Task AnHttpFunctionWhoseRouteHasNoEndpointStopsStartUp()
    {
        _functions.Write("Ghost", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req", "route": "ghost" }, { "type": "http", "direction": "out", "name": "res" } ] }""");
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Functions:ScriptRoot"] = _functions.Path });

        var error = Assert.ThrowsAny<Exception>(() => server.Start());

        Assert.Contains("HTTP function 'Ghost' (Ghost/function.json) forwards /api/ghost, but no endpoint is mapped there", Flatten(error));
    }

    [Fact]
    public async Task AFunctionJsonWithTwoTriggersIsRejected()
    {
        _functions.Write("Twice", """{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "a", "schedule": "0 * * * * *" }, { "type": "queueTrigger", "direction": "in", "name": "b", "queueName": "q" } ] }""");
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Functions:ScriptRoot"] = _functions.Path });

        var error = Assert.ThrowsAny<Exception>(() => server.Start());

        Assert.Contains("Twice/function.json: a function needs exactly one trigger binding", Flatten(error));
    }

    [Fact]
    public async Task FunctionsModeWithoutACosmosEndpointNamesTheSetting()
    {
        await using var server = new TokenTallyServer(new Dictionary<string, string?>
        {
            ["TokenTally:Mode"] = "Functions",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0",
            ["TokenTally:Storage:BlobServiceUri"] = "https://example.blob.core.windows.net",
            ["TokenTally:Storage:QueueServiceUri"] = "https://example.queue.core.windows.net",
        });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.Start());

        Assert.Contains("functions mode needs TokenTally:Cosmos:Endpoint", error.Message);
    }

    [Fact]
    public async Task FunctionsModeWithoutStorageNamesBothSettings()
    {
        await using var server = new TokenTallyServer(new Dictionary<string, string?>
        {
            ["TokenTally:Mode"] = "Functions",
            ["FUNCTIONS_CUSTOMHANDLER_PORT"] = "0",
            ["TokenTally:Cosmos:Endpoint"] = "https://example.documents.azure.com:443/",
        });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => server.Start());

        Assert.Contains("functions mode needs TokenTally:Storage:BlobServiceUri", error.Message);
        Assert.Contains("functions mode needs TokenTally:Storage:QueueServiceUri", error.Message);
    }

    [Fact]
    public async Task AnInvalidLocalSettingIsNamedWithItsFullPath()
    {
        await using var server = new TokenTallyServer(new Dictionary<string, string?> { ["TokenTally:Local:Port"] = "70000" });

        var error = Assert.ThrowsAny<Exception>(() => server.Start());

        Assert.Contains("TokenTally:Local:Port must be 0-65535", Flatten(error));
    }

    [Fact]
    public void TheSampleSettingsListEverySettingTheAppReads()
    {
        using var sample = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var listed = sample.RootElement.GetProperty("Values").EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        var optionTypes = typeof(TokenTallyOptions).Assembly.GetTypes()
            .Where(t => t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not null);

        var expected = optionTypes.SelectMany(type =>
        {
            var section = ((string)type.GetField("Section")!.GetValue(null)!).Replace(":", "__", StringComparison.Ordinal);
            return type.GetProperties().Where(p => p.CanWrite).Select(p => $"{section}__{p.Name}");
        }).ToList();

        Assert.NotEmpty(expected);
        Assert.All(expected, setting => Assert.Contains(setting, listed));
    }

    private static string Flatten(Exception error) => error.ToString();

    public void Dispose() => _functions.Dispose();
}
