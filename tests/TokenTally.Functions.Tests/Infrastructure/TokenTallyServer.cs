using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TokenTally.Storage.Documents;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>
/// The real server on a loopback Kestrel port, in local mode on its own data folder, with the
/// repository's function.json files unless a test supplies its own script root.
/// </summary>
public sealed class TokenTallyServer : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public TokenTallyServer(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        DataPath = Path.Combine(Path.GetTempPath(), "tokentally-api-" + Guid.NewGuid().ToString("N"));
        _settings = new Dictionary<string, string?>
        {
            ["TokenTally:Local:DataPath"] = DataPath,
            ["TokenTally:Local:Port"] = "0",
            ["TokenTally:Local:RunScheduler"] = "false",
            ["TokenTally:Functions:ScriptRoot"] = RepositoryPaths.Functions,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }

        _services = services;
        UseKestrel();
    }

    public string DataPath { get; }

    public IDocumentStore Store => Services.GetRequiredService<IDocumentStore>();

    /// <summary>Starts the server and returns a client for its loopback address.</summary>
    public HttpClient Start()
    {
        StartServer();
        return CreateClient();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment("Production");
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(DataPath))
        {
            Directory.Delete(DataPath, recursive: true);
        }
    }
}

public static class HttpAssertions
{
    /// <summary>Reads an RFC 7807 body, checking its media type.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>The messages of one field in a validation problem.</summary>
    public static string[] FieldErrors(this JsonElement problem, string field) =>
        problem.GetProperty("errors").TryGetProperty(field, out var messages)
            ? messages.EnumerateArray().Select(m => m.GetString()!).ToArray()
            : throw new Xunit.Sdk.XunitException($"No error for '{field}' in {problem}");
}
