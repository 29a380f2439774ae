namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>A test class whose every test gets its own running server (and so its own data).</summary>
public abstract class ServerTests : IAsyncLifetime
{
    protected TokenTallyServer Server { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected virtual TokenTallyServer CreateServer() => new();

    public virtual ValueTask InitializeAsync()
    {
        Server = CreateServer();
        Client = Server.Start();
        return ValueTask.CompletedTask;
    }

    public virtual async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
