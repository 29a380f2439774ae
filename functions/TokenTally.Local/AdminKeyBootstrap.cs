using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using TokenTally.Application.Projects;
using TokenTally.Storage.Documents;

namespace TokenTally.Local;

/// <summary>
/// At the first start, creates the admin key: only its SHA-256 is stored; the key itself is printed once to the console
/// (never to the logs) and saved to the data folder's admin-key file (mode 600). It runs once the server listens, so a start
/// that fails (a port in use) shows no key it would not serve.
/// </summary>
internal sealed class AdminKeyBootstrap(IDocumentStore store, IOptions<LocalOptions> options, TimeProvider time) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var file = options.Value.AdminKeyFile;
        var existing = await store.GetAsync(DocumentContainer.Config, AdminKeyDocument.PartitionKey, AdminKeyDocument.Id, cancellationToken);
        if (existing is not null)
        {
            await Console.Out.WriteLineAsync(File.Exists(file)
                ? $"Admin key: see {file}"
                : $"Admin key: created earlier; its file {file} is gone and the key cannot be shown again.");
            return;
        }

        var key = AdminKeyDocument.Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var data = new JsonObject { ["sha256"] = ProjectStore.Hash(key), ["createdAt"] = time.GetUtcNow() };
        var created = await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(AdminKeyDocument.PartitionKey, AdminKeyDocument.Id, data), WriteCondition.IfNotExists, cancellationToken);
        if (!created.Succeeded)
        {
            return;
        }

        await SecretFile.WriteAsync(file, key + "\n", cancellationToken);

        await Console.Out.WriteLineAsync($"""

            ==================================================================
             TokenTally admin key (shown once; also saved to {file}):
               {key}
            ==================================================================

            """);
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
