using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>
/// A class of API tests that each get a host of their own. The specification is written once as an abstract class and run
/// against both hosts by two sealed classes: <c>…OnLocalMode</c> and <c>…OnTheFunctionsApp</c>.
/// </summary>
public abstract class ApiSpecification(Func<Task<IApiHost>> start) : IAsyncLifetime
{
    protected IApiHost Host { get; private set; } = null!;

    protected HttpClient Client => Host.Client;

    public async ValueTask InitializeAsync() => Host = await start();

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>A new tenant and project with a key of the given scopes (default: ingest and read:project).</summary>
    protected Task<ApiSession> NewSessionAsync(params string[] scopes) => ApiSession.CreateAsync(Host, scopes.Length == 0 ? ["ingest", "read:project"] : scopes);

    /// <summary>Sends a request with <paramref name="key"/> as its bearer key, a JSON body and an If-Match when given; the answer is buffered.</summary>
    protected async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
        await response.Content.LoadIntoBufferAsync(TestContext.Current.CancellationToken);
        await OnAnsweredAsync(response);
        return response;
    }

    /// <summary>Sees every answer <see cref="SendAsync"/> got (a specification may keep them).</summary>
    protected virtual Task OnAnsweredAsync(HttpResponseMessage response) => Task.CompletedTask;

    /// <summary>The answer's JSON, after asserting its status (the body in the message when it differs); default for an empty body.</summary>
    protected static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
    }
}

/// <summary>How the two hosts are started for a specification.</summary>
public static class ApiHosts
{
    public static Func<Task<IApiHost>> Local(params string[] settings) => async () => await LocalApiHost.StartAsync(settings);

    /// <summary>Local mode with <paramref name="settings"/>, its services changed by <paramref name="configureServices"/> (e.g. a log recorder added).</summary>
    public static Func<Task<IApiHost>> Local(string[] settings, Action<IServiceCollection> configureServices) =>
        async () => await LocalApiHost.StartAsync(settings, configureServices);

    public static Func<Task<IApiHost>> Functions(
        CosmosTestServerFixture cosmos, AzuriteFixture azurite, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configureServices = null) =>
        async () => await FunctionsApiHost.StartAsync(cosmos, azurite, settings, configureServices);
}
