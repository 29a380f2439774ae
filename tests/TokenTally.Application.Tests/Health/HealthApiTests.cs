using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Storage.Blobs;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Health;

/// <summary>Liveness, readiness for anyone (and nothing more), the details for the admin key.</summary>
public abstract class HealthApiTests(Func<Task<IApiHost>> start, string host) : ApiSpecification(start)
{
    [Fact]
    public async Task AnyoneLearnsWhetherTheAppIsReadyAndItsVersionAndNothingElse()
    {
        var response = await Client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        var health = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", health.GetProperty("version").GetString());
        Assert.Equal(["checkedAt", "status", "version"], health.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task TheProcessAnswersItsLivenessProbe()
    {
        var response = await Client.GetAsync("/api/health/live", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheAdminSeesTheHostEveryDependencyAndPricing()
    {
        using var request = ApiRequests.Admin(HttpMethod.Get, "/api/v1/admin/health", Host.AdminKey);

        var health = await (await Client.SendAsync(request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(host, health.GetProperty("host").GetString());
        Assert.Equal("healthy", health.GetProperty("dependencies").GetProperty("store").GetProperty("status").GetString());
        Assert.Equal("healthy", health.GetProperty("dependencies").GetProperty("archive").GetProperty("status").GetString());
        Assert.True(health.GetProperty("pricing").GetProperty("models").GetInt32() >= 40);
    }
}

public sealed class HealthApiOnLocalMode() : HealthApiTests(ApiHosts.Local(), "local");

public sealed class HealthApiOnTheFunctionsApp(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : HealthApiTests(ApiHosts.Functions(cosmos, azurite), "functions");

/// <summary>Readiness when a dependency fails, and what the readiness check costs.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task AnArchiveThatCannotBeWrittenMakesTheAppUnreadyAndOnlyTheAdminLearnsWhy()
    {
        await using var host = await LocalApiHost.StartAsync();
        var blobs = Path.Combine(host.DataPath, "blobs");
        Directory.CreateDirectory(blobs);
        await File.WriteAllTextAsync(Path.Combine(blobs, "archive"), "a file where the archive folder should be", TestContext.Current.CancellationToken);

        var response = await host.Client.GetAsync("/api/health", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var request = ApiRequests.Admin(HttpMethod.Get, "/api/v1/admin/health", host.AdminKey);
        var details = await (await host.Client.SendAsync(request, TestContext.Current.CancellationToken)).Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.DoesNotContain("archive", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.Equal("unhealthy", details.GetProperty("dependencies").GetProperty("archive").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(details.GetProperty("dependencies").GetProperty("archive").GetProperty("detail").GetString()));
        Assert.Equal("healthy", details.GetProperty("dependencies").GetProperty("store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task ReadinessChecksWriteTheArchiveAtMostOnceAMinuteHoweverOftenTheyAreAsked()
    {
        var writes = new CountingBlobStore();
        await using var host = await LocalApiHost.StartAsync(configureServices: services =>
            services.AddSingleton<IBlobStore>(sp => writes.Wrap(new TokenTally.Storage.FileSystem.FileSystemBlobStore(
                sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<TokenTally.Local.LocalOptions>>().Value.Blobs))));

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/health", TestContext.Current.CancellationToken)).StatusCode);
        }

        Assert.Equal(1, writes.Puts);
    }

    private sealed class CountingBlobStore
    {
        private int _puts;

        public int Puts => _puts;

        public IBlobStore Wrap(IBlobStore inner) => new Counting(inner, this);

        private sealed class Counting(IBlobStore inner, CountingBlobStore counter) : IBlobStore
        {
            public Task<bool> PutAsync(BlobContainer container, string name, ReadOnlyMemory<byte> content, bool overwrite, CancellationToken cancellationToken)
            {
                Interlocked.Increment(ref counter._puts);
                return inner.PutAsync(container, name, content, overwrite, cancellationToken);
            }

            public Task<byte[]?> GetAsync(BlobContainer container, string name, CancellationToken cancellationToken) => inner.GetAsync(container, name, cancellationToken);

            public Task<bool> DeleteAsync(BlobContainer container, string name, CancellationToken cancellationToken) => inner.DeleteAsync(container, name, cancellationToken);

            public IAsyncEnumerable<BlobInfo> ListAsync(BlobContainer container, string prefix, CancellationToken cancellationToken) => inner.ListAsync(container, prefix, cancellationToken);
        }
    }
}
