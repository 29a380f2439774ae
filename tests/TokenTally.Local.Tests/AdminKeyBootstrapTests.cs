using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TokenTally.Application.Projects;
using TokenTally.Local.Tests.Infrastructure;
using TokenTally.Storage.Documents;
using TokenTally.Storage.Sqlite;
using TokenTally.Testing;

namespace TokenTally.Local.Tests;

/// <summary>The real server's first start creates the admin key: printed once, written for its owner only, stored as a hash.</summary>
public sealed class AdminKeyBootstrapTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly TemporaryFolder _folder = new();

    private string DataPath => _folder.File("data");

    private string KeyFile => Path.Combine(DataPath, "admin-key");

    [Fact]
    public async Task TheFirstStartPrintsTheKeyWritesItForItsOwnerOnlyAndStoresOnlyItsHash()
    {
        string key;
        await using (var server = await StartAsync())
        {
            key = (await File.ReadAllTextAsync(KeyFile, TestContext.Current.CancellationToken)).Trim();
            await Eventually.HoldsAsync(() => server.OutputTail.Contains(key, StringComparison.Ordinal), Patience, () => $"The key was not printed:{Environment.NewLine}{server.OutputTail}");

            using var client = server.CreateClient();
            Assert.Equal(HttpStatusCode.OK, (await AdminHealthAsync(client, key)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await AdminHealthAsync(client, AdminKeyDocument.Prefix + new string('x', 43))).StatusCode);
        }

        Assert.StartsWith(AdminKeyDocument.Prefix, key, StringComparison.Ordinal);
        Assert.True(key.Length >= AdminKeyDocument.Prefix.Length + 43, $"A key of {key.Length} characters is too short for 32 random bytes.");
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }

        var stored = await ReadKeyDocumentAsync();
        Assert.Equal(ProjectStore.Hash(key), (string?)stored.Data["sha256"]);
        Assert.DoesNotContain(key, stored.Data.ToJsonString(), StringComparison.Ordinal);
        Assert.All(Directory.EnumerateFiles(DataPath, "*", SearchOption.AllDirectories).Where(f => f != KeyFile), file =>
            Assert.False(Contains(file, key), $"{file} holds the admin key."));
    }

    [Fact]
    public async Task ASecondStartOnTheSameDataKeepsTheKeyAndDoesNotPrintItAgain()
    {
        string key;
        await using (var first = await StartAsync())
        {
            key = (await File.ReadAllTextAsync(KeyFile, TestContext.Current.CancellationToken)).Trim();
        }

        var hash = (string?)(await ReadKeyDocumentAsync()).Data["sha256"];
        await using var second = await StartAsync();
        await Eventually.HoldsAsync(() => second.OutputTail.Contains($"Admin key: see {KeyFile}", StringComparison.Ordinal), Patience, () => second.OutputTail);
        using var client = second.CreateClient();

        Assert.Equal(key, (await File.ReadAllTextAsync(KeyFile, TestContext.Current.CancellationToken)).Trim());
        Assert.Equal(hash, (string?)(await ReadKeyDocumentAsync()).Data["sha256"]);
        Assert.Equal(HttpStatusCode.OK, (await AdminHealthAsync(client, key)).StatusCode);
        Assert.DoesNotContain(key, second.OutputTail, StringComparison.Ordinal);
    }

    private Task<LocalServerProcess> StartAsync() =>
        LocalServerProcess.StartAsync(ServerBuild.LocalDll, DataPath, ["--TokenTally:Local:RunScheduler=false"], null, TestContext.Current.CancellationToken, workingDirectory: _folder.Path);

    private static async Task<HttpResponseMessage> AdminHealthAsync(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/admin/health");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<StoredDocument> ReadKeyDocumentAsync()
    {
        await using var store = new SqliteDocumentStore(Path.Combine(DataPath, "tokentally.db"), TimeProvider.System);
        return await store.GetAsync(DocumentContainer.Config, AdminKeyDocument.PartitionKey, AdminKeyDocument.Id, TestContext.Current.CancellationToken)
            ?? throw new Xunit.Sdk.XunitException("No admin key document.");
    }

    private static bool Contains(string file, string text) =>
        File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    public void Dispose() => _folder.Dispose();
}
