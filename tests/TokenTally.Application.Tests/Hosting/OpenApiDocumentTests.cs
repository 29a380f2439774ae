using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using TokenTally.Application.Hosting;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Hosting;

/// <summary>
/// The OpenAPI document is generated from the endpoints, served by both hosts, and committed: a change to the contract
/// shows in review. Run the tests with TOKENTALLY_UPDATE_OPENAPI=1 to rewrite the committed copy.
/// </summary>
public sealed class OpenApiDocumentTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite)
{
    private static readonly string Committed = Path.Combine(RepositoryPaths.Root, "shared", "TokenTally.Application", "Http", "openapi.v1.json");

    [Fact]
    public async Task TheCommittedDocumentIsTheOneTheEndpointsGenerate()
    {
        await using var host = await LocalApiHost.StartAsync();
        var served = await FetchAsync(host);

        if (Environment.GetEnvironmentVariable("TOKENTALLY_UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(Committed, served, TestContext.Current.CancellationToken);
        }

        Assert.True(File.Exists(Committed), $"No committed OpenAPI document at {Committed}; run the tests with TOKENTALLY_UPDATE_OPENAPI=1.");
        Assert.True(served == await File.ReadAllTextAsync(Committed, TestContext.Current.CancellationToken),
            $"The committed {Committed} is stale: the endpoints changed. Run the tests with TOKENTALLY_UPDATE_OPENAPI=1 and commit the result.");
    }

    [Fact]
    public async Task BothHostsServeTheSameDocument()
    {
        await using var local = await LocalApiHost.StartAsync();
        await using var functions = await FunctionsApiHost.StartAsync(cosmos, azurite);

        Assert.Equal(await FetchAsync(local), await FetchAsync(functions));
    }

    [Fact]
    public async Task EveryOperationHasANameAndATagAndTheKeySchemeIsDeclared()
    {
        await using var host = await LocalApiHost.StartAsync();
        var document = JsonNode.Parse(await FetchAsync(host))!;

        var operations = document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(op => (Path: path.Key, Method: op.Key, Operation: op.Value!))).ToList();
        Assert.NotEmpty(operations);
        Assert.All(operations, o => Assert.False(string.IsNullOrEmpty((string?)o.Operation["operationId"]), $"{o.Method} {o.Path} has no operationId"));
        Assert.All(operations, o => Assert.NotNull(o.Operation["tags"]));
        Assert.Equal("api-key", (string?)document["components"]!["securitySchemes"]!["apiKey"]!["name"]);
    }

    [Fact]
    public async Task EveryQueryParameterIsDocumentedInCamelCaseUnderTheNameItsEndpointTakes()
    {
        await using var host = await LocalApiHost.StartAsync();
        var session = await ApiSession.CreateAsync(host, ["read:tenant"]);
        var document = JsonNode.Parse(await FetchAsync(host))!;
        var parameters = document["paths"]!.AsObject()
            .Where(path => !path.Key.Contains('{') && path.Value!["get"] is not null)
            .SelectMany(path => (path.Value!["get"]!["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "query").Select(p => (Path: path.Key, Name: (string)p!["name"]!)))
            .ToList();

        Assert.Contains(("/api/v1/costs", "groupBy"), parameters);
        foreach (var (path, name) in parameters)
        {
            Assert.True(char.IsLower(name[0]), $"GET {path} documents its parameter as '{name}', not in camelCase as every name of the API.");
            var key = path.StartsWith("/api/v1/admin/", StringComparison.Ordinal) || path.StartsWith("/api/v1/pipeline/", StringComparison.Ordinal) ? host.AdminKey : null;
            var response = await session.GetAsync($"{path}?{name}=x", key);
            var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.False(response.StatusCode == HttpStatusCode.BadRequest && body.Contains("is not a parameter", StringComparison.Ordinal), $"GET {path} refuses its documented parameter '{name}': {body}");
        }
    }

    /// <summary>The document as served, indented, so the committed copy diffs line by line.</summary>
    private static async Task<string> FetchAsync(IApiHost host)
    {
        var response = await host.Client.GetAsync(OpenApiSetup.Route, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
