using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Security.KeyVault.Secrets;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;

namespace TokenTally.Functions.Alerts;

/// <summary>TokenTally:Alerts:Secrets — where the alert channels' secrets live in Azure.</summary>
public sealed class ChannelSecretsOptions
{
    public const string Section = "TokenTally:Alerts:Secrets";

    /// <summary>
    /// https://&lt;vault&gt;.vault.azure.net/: the channels' secrets go to this Key Vault (managed identity, with a role that
    /// sets, reads and deletes secrets); empty keeps them in the config table's secrets partition.
    /// </summary>
    public string? KeyVaultUri { get; set; }
}

internal sealed class ChannelSecretsOptionsValidator : IValidateOptions<ChannelSecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, ChannelSecretsOptions options) =>
        string.IsNullOrWhiteSpace(options.KeyVaultUri) || (Uri.TryCreate(options.KeyVaultUri, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"TokenTally:Alerts:Secrets:KeyVaultUri must be an absolute https URL such as https://<vault>.vault.azure.net/; '{options.KeyVaultUri}' is not.");
}

/// <summary>
/// The Key Vault name of a channel's secret. Vault names allow 1-127 letters, digits and dashes, and tenant names already
/// hold dashes, so no escaping keeps (tenant, channel, secret) apart: the name is <c>tt-channel-</c> and the SHA-256 of the
/// three, in hex (75 characters). The secret's tags say whose it is, for the people who look in the vault.
/// </summary>
public static class KeyVaultSecretNames
{
    public const string Prefix = "tt-channel-";

    public static string Of(string tenant, string channelId, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        ArgumentException.ThrowIfNullOrEmpty(name);

        // Each part's length first, so that no two triples share one string to hash.
        var identity = $"{tenant.Length}:{tenant}|{channelId.Length}:{channelId}|{name.Length}:{name}";
        return Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }
}

/// <summary>
/// Channel secrets as Key Vault secrets, one per (tenant, channel, secret name), through the app's managed identity. A
/// deleted secret is soft-deleted and purged by the vault's retention; setting it again recovers it first, since the vault
/// refuses to set a name that is deleted but recoverable. Errors name the channel and the vault's status, never a value.
/// </summary>
internal sealed class KeyVaultChannelSecretStore(SecretClient client) : IChannelSecretStore
{
    public async Task PutAsync(string tenant, string channelId, string name, string value, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        var secret = new KeyVaultSecret(KeyVaultSecretNames.Of(tenant, channelId, name), value);
        secret.Properties.ContentType = "text/plain";
        secret.Properties.Tags["tokentally-tenant"] = tenant;
        secret.Properties.Tags["tokentally-channel"] = channelId;
        secret.Properties.Tags["tokentally-secret"] = name;
        try
        {
            await client.SetSecretAsync(secret, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.Conflict)
        {
            try
            {
                var recovery = await client.StartRecoverDeletedSecretAsync(secret.Name, cancellationToken);
                await recovery.WaitForCompletionAsync(TimeSpan.FromSeconds(1), cancellationToken);
                await client.SetSecretAsync(secret, cancellationToken);
            }
            catch (RequestFailedException again)
            {
                throw Refused(again, tenant, channelId, name);
            }
        }
        catch (RequestFailedException e)
        {
            throw Refused(e, tenant, channelId, name);
        }
    }

    public async Task<string?> GetAsync(string tenant, string channelId, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await client.GetSecretAsync(KeyVaultSecretNames.Of(tenant, channelId, name), cancellationToken: cancellationToken)).Value.Value;
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
            return null;
        }
        catch (RequestFailedException e)
        {
            throw Refused(e, tenant, channelId, name);
        }
    }

    public async Task DeleteAsync(string tenant, string channelId, string name, CancellationToken cancellationToken)
    {
        try
        {
            // The deletion is not waited for: the vault finishes it, and keeps the secret recoverable until its retention ends.
            await client.StartDeleteSecretAsync(KeyVaultSecretNames.Of(tenant, channelId, name), cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == StatusCodes.NotFound)
        {
        }
        catch (RequestFailedException e)
        {
            throw Refused(e, tenant, channelId, name);
        }
    }

    /// <summary>The vault's status and error code only: the SDK's message quotes the response, which this class never passes on.</summary>
    private static InvalidOperationException Refused(RequestFailedException e, string tenant, string channelId, string name) =>
        new($"Key Vault refused secret '{name}' of channel {tenant}/{channelId}: {e.Status} {e.ErrorCode ?? "(no error code)"}.");

    private static class StatusCodes
    {
        public const int NotFound = 404;
        public const int Conflict = 409;
    }
}
