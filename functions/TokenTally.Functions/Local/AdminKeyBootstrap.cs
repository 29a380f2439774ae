using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using TokenTally.Functions.Hosting;
using TokenTally.Functions.Storage;
using TokenTally.Storage.Documents;

namespace TokenTally.Functions.Local;

/// <summary>
/// At the first local start, creates the bootstrap admin key: only its SHA-256 hash is stored; the
/// key itself is printed once to the console (never to the logs) and saved to .data/admin-key.
/// </summary>
internal sealed class AdminKeyBootstrap(IDocumentStore store, LocalDataPaths paths, HostingEnvironment hosting, TimeProvider time) : IHostedService
{
    public const string PartitionKey = "_system";
    public const string DocumentId = "admin-key";
    public const string Prefix = "tt_admin_";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!hosting.IsLocal)
        {
            return;
        }

        var existing = await store.GetAsync(DocumentContainer.Config, PartitionKey, DocumentId, cancellationToken);
        if (existing is not null)
        {
            await Console.Out.WriteLineAsync(File.Exists(paths.AdminKey)
                ? $"Admin key: see {paths.AdminKey}"
                : $"Admin key: created earlier; its file {paths.AdminKey} is gone and the key cannot be shown again.");
            return;
        }

        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var data = new JsonObject { ["sha256"] = Hash(key), ["createdAt"] = time.GetUtcNow() };
        var created = await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(PartitionKey, DocumentId, data), WriteCondition.IfNotExists, cancellationToken);
        if (!created.Succeeded)
        {
            return;
        }

        Directory.CreateDirectory(paths.Root);
        await File.WriteAllTextAsync(paths.AdminKey, key + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(paths.AdminKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        await Console.Out.WriteLineAsync($"""

            ==================================================================
             TokenTally admin key (shown once; also saved to {paths.AdminKey}):
               {key}
            ==================================================================

            """);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The stored form of a key: lower-case hex SHA-256.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
