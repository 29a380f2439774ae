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
