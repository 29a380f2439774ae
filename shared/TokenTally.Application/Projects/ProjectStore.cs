using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TokenTally.Application.Json;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Projects;

/// <summary>A project of a tenant, with its Azure OpenAI deployment → model mapping.</summary>
public sealed record Project(string Tenant, string Name, IReadOnlyDictionary<string, string> AzureDeployments, DateTimeOffset CreatedAt);

/// <summary>An API key as stored: only the SHA-256 of its secret, and what it may do.</summary>
public sealed record ApiKeyRecord(string KeyId, string Tenant, string Project, string Name, IReadOnlyList<string> Scopes, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A key just issued: the only time its secret exists outside the caller.</summary>
public sealed record IssuedKey(string KeyId, string Key, string Name, string Tenant, string Project, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt);

/// <summary>Projects (partition = tenant) and API keys (partition <c>_keys</c>) in the config container.</summary>
public sealed partial class ProjectStore(IDocumentStore store, TimeProvider time)
{
    public const string KeysPartition = "_keys";
    public const string KeyPrefix = "tt_";
    public const string SystemPartition = "_system";
    public const string TenantsId = "tenants";

    /// <summary>Tenant and project names: lower-case letters, digits and dashes, 2-63 characters.</summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public async Task<Project?> GetAsync(string tenant, string project, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DocumentContainer.Config, tenant, ProjectId(project), cancellationToken);
        return document?.As<Project>(TokenTallyJson.Options);
    }

    /// <summary>Creates a project; null when it exists.</summary>
    public async Task<Project?> CreateAsync(string tenant, string project, IReadOnlyDictionary<string, string> azureDeployments, CancellationToken cancellationToken)
    {
        var created = new Project(tenant, project, azureDeployments, time.GetUtcNow());
        var result = await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(tenant, ProjectId(project), ToData(created)), WriteCondition.IfNotExists, cancellationToken);
        if (!result.Succeeded)
        {
            return null;
        }

        await RegisterTenantAsync(tenant, cancellationToken);
        return created;
    }

    /// <summary>Replaces a project's deployment mapping; null when there is no such project.</summary>
    public async Task<Project?> SetAzureDeploymentsAsync(string tenant, string project, IReadOnlyDictionary<string, string> azureDeployments, CancellationToken cancellationToken)
    {
        var current = await GetAsync(tenant, project, cancellationToken);
        if (current is null)
        {
            return null;
        }

        // The mapping is replaced whole and nothing else of a project changes, so the last writer wins: no etag needed.
        var updated = current with { AzureDeployments = azureDeployments };
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(tenant, ProjectId(project), ToData(updated)), WriteCondition.None, cancellationToken);
        return updated;
    }

    /// <summary>Every tenant that has a project: the tenants the hourly pipeline's fallback window covers.</summary>
    public async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DocumentContainer.Config, SystemPartition, TenantsId, cancellationToken);
        return (document?.Data["tenants"] as JsonObject)?.Select(t => t.Key).Order(StringComparer.Ordinal).ToList() ?? [];
    }

    private async Task RegisterTenantAsync(string tenant, CancellationToken cancellationToken)
    {
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(SystemPartition, TenantsId, new JsonObject { ["tenants"] = new JsonObject() }), WriteCondition.IfNotExists, cancellationToken);
        await store.PatchAsync(DocumentContainer.Config, SystemPartition, TenantsId, [PatchOperation.Set("/tenants/" + tenant, JsonValue.Create(time.GetUtcNow()))], null, cancellationToken);
    }

    /// <summary>Issues a key <c>tt_&lt;keyId&gt;_&lt;secret&gt;</c> with the given scopes; only its hash is kept.</summary>
    public async Task<IssuedKey> IssueKeyAsync(string tenant, string project, string name, IReadOnlyList<string> scopes, CancellationToken cancellationToken)
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var key = $"{KeyPrefix}{keyId}_{Base64Url(RandomNumberGenerator.GetBytes(32))}";
        var record = new ApiKeyRecord(keyId, tenant, project, name, scopes, Hash(key), time.GetUtcNow(), null);
        await store.UpsertAsync(DocumentContainer.Config, new DocumentWrite(KeysPartition, keyId, ToData(record), RangeKey: $"{tenant}/{project}"), WriteCondition.IfNotExists, cancellationToken);
        return new IssuedKey(keyId, key, name, tenant, project, scopes, record.CreatedAt);
    }

    public async Task<ApiKeyRecord?> GetKeyAsync(string keyId, CancellationToken cancellationToken)
    {
        var document = await store.GetAsync(DocumentContainer.Config, KeysPartition, keyId, cancellationToken);
        return document?.As<ApiKeyRecord>(TokenTallyJson.Options);
    }

    public async Task<IReadOnlyList<ApiKeyRecord>> ListKeysAsync(string tenant, string project, CancellationToken cancellationToken)
    {
        var scope = $"{tenant}/{project}";
        var keys = new List<ApiKeyRecord>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, KeysPartition, new RangeKeyFilter(scope, scope + "\0"), cancellationToken))
        {
            keys.Add(document.As<ApiKeyRecord>(TokenTallyJson.Options)!);
        }

        return keys.OrderBy(k => k.CreatedAt).ToList();
    }

    /// <summary>Revokes a key of this project; false when there is no such key.</summary>
    public async Task<bool> RevokeKeyAsync(string tenant, string project, string keyId, CancellationToken cancellationToken)
    {
        var key = await GetKeyAsync(keyId, cancellationToken);
        if (key is null || key.Tenant != tenant || key.Project != project)
        {
            return false;
        }

        if (key.RevokedAt is null)
        {
            await store.PatchAsync(DocumentContainer.Config, KeysPartition, keyId, [PatchOperation.Set("/revokedAt", JsonValue.Create(time.GetUtcNow()))], null, cancellationToken);
        }

        return true;
    }

    /// <summary>The stored form of a key: lower-case hex SHA-256.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The key id inside <c>tt_&lt;keyId&gt;_&lt;secret&gt;</c>, or null for anything else.</summary>
    public static string? KeyIdOf(string key)
    {
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = key.IndexOf('_', KeyPrefix.Length);
        return end == KeyPrefix.Length + 12 ? key[KeyPrefix.Length..end] : null;
    }

    private static string ProjectId(string project) => "project:" + project;

    private static JsonObject ToData<T>(T value) => JsonSerializer.SerializeToNode(value, TokenTallyJson.Options)!.AsObject();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,62}$")]
    private static partial Regex NamePattern();
}
