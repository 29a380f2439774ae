using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts;
using TokenTally.Functions.Alerts;
using TokenTally.Functions.Hosting;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Alerts;

/// <summary>
/// Channel secrets in Key Vault, against a loopback HTTPS stand-in for the vault's REST API (there is no emulator): names
/// the vault accepts and that keep every (tenant, channel, secret) apart, the challenge handshake, set, get, delete,
/// setting a soft-deleted secret again, errors that never carry a value, and the setting that chooses the store.
/// </summary>
public sealed partial class KeyVaultChannelSecretStoreTests : IAsyncLifetime
{
    private KeyVaultStandIn _vault = null!;

    public async ValueTask InitializeAsync() => _vault = await KeyVaultStandIn.StartAsync();

    public async ValueTask DisposeAsync() => await _vault.DisposeAsync();

    private KeyVaultChannelSecretStore CreateSut() => new(_vault.CreateClient());

    [Theory]
    [InlineData("acme", "ch_0123456789ab", "signingSecret")]
    [InlineData("a-b", "c", "url")]
    [InlineData("a", "b-c", "url")]
    [InlineData("t-0123456789012345678901234567890123456789012345678901234567890", "ch_ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "password:smtp/ümlaut")]
    public void EverySecretNameIsOneTheVaultAccepts(string tenant, string channel, string name)
    {
        var secretName = KeyVaultSecretNames.Of(tenant, channel, name);

        Assert.Matches(VaultName(), secretName);
        Assert.Equal(secretName, KeyVaultSecretNames.Of(tenant, channel, name));
    }

    [Fact]
    public void NamesKeepTenantsChannelsAndSecretsApartWhereDashesAndColonsWouldRunTogether()
    {
        string[] names =
        [
            KeyVaultSecretNames.Of("a-b", "c", "url"), KeyVaultSecretNames.Of("a", "b-c", "url"), KeyVaultSecretNames.Of("a", "b", "c-url"),
            KeyVaultSecretNames.Of("ab", "c", "url"), KeyVaultSecretNames.Of("acme", "ch:1", "x"), KeyVaultSecretNames.Of("acme", "ch", "1:x"),
            KeyVaultSecretNames.Of("acme", "ch", "url"), KeyVaultSecretNames.Of("acmf", "ch", "url"),
        ];

        Assert.Equal(names.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task ASecretIsSetReadAndDeletedUnderItsVaultNameAfterTheChallengeHandshake()
    {
        var store = CreateSut();
        var name = KeyVaultSecretNames.Of("acme", "ch_1", "signingSecret");

        await store.PutAsync("acme", "ch_1", "signingSecret", "whsec_first", TestContext.Current.CancellationToken);
        await store.PutAsync("acme", "ch_1", "signingSecret", "whsec_second", TestContext.Current.CancellationToken);
        var read = await store.GetAsync("acme", "ch_1", "signingSecret", TestContext.Current.CancellationToken);
        await store.DeleteAsync("acme", "ch_1", "signingSecret", TestContext.Current.CancellationToken);

        Assert.Equal("whsec_second", read);
        Assert.Empty(_vault.Secrets);
        Assert.Equal("whsec_second", _vault.Deleted[name].Value);
        Assert.Equal(new Dictionary<string, string> { ["tokentally-tenant"] = "acme", ["tokentally-channel"] = "ch_1", ["tokentally-secret"] = "signingSecret" }, _vault.Deleted[name].Tags);
        var requests = _vault.Requests.ToList();
        Assert.False(requests[0].Authorized);
        Assert.All(requests.Skip(1), r => Assert.True(r.Authorized));
        Assert.All(requests, r => Assert.False(string.IsNullOrEmpty(r.ApiVersion)));
        Assert.Equal(["PUT", "PUT", "GET", "DELETE"], requests.Where(r => r.Authorized).Select(r => r.Method));
        Assert.All(requests, r => Assert.StartsWith($"/secrets/{name}", r.Path, StringComparison.Ordinal));
        Assert.Contains(["https://vault.azure.net/.default"], _vault.Credential.Scopes);
    }

    [Fact]
    public async Task AMissingSecretReadsAsNullAndDeletesAsNothing()
    {
        var store = CreateSut();

        Assert.Null(await store.GetAsync("acme", "ch_none", "url", TestContext.Current.CancellationToken));
        await store.DeleteAsync("acme", "ch_none", "url", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ASecretSetAgainAfterItsDeletionIsRecoveredFromSoftDeleteThenSet()
    {
        var store = CreateSut();
        var name = KeyVaultSecretNames.Of("acme", "ch_2", "url");
        await store.PutAsync("acme", "ch_2", "url", "https://old.example/hook", TestContext.Current.CancellationToken);
        await store.DeleteAsync("acme", "ch_2", "url", TestContext.Current.CancellationToken);

        await store.PutAsync("acme", "ch_2", "url", "https://new.example/hook", TestContext.Current.CancellationToken);

        Assert.Equal("https://new.example/hook", await store.GetAsync("acme", "ch_2", "url", TestContext.Current.CancellationToken));
        Assert.Empty(_vault.Deleted);
        Assert.Contains(_vault.Requests, r => r.Method == "POST" && r.Path == $"/deletedsecrets/{name}/recover");
    }

    [Fact]
    public async Task AVaultThatRefusesIsReportedWithItsStatusAndNeverTheValue()
    {
        var store = CreateSut();
        _vault.Refusal = 403;

        var put = await Assert.ThrowsAsync<InvalidOperationException>(() => store.PutAsync("acme", "ch_3", "password", "hunter2-secret", TestContext.Current.CancellationToken));
        var get = await Assert.ThrowsAsync<InvalidOperationException>(() => store.GetAsync("acme", "ch_3", "password", TestContext.Current.CancellationToken));

        Assert.All(new[] { put, get }, e =>
        {
            Assert.Contains("403", e.Message, StringComparison.Ordinal);
            Assert.Contains("acme/ch_3", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", e.ToString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public void AVaultUriPutsTheChannelSecretsInKeyVaultAndWithoutOneTheyStayInTheConfigTable()
    {
        Assert.Equal(typeof(KeyVaultChannelSecretStore), SecretStoreOf(new() { ["TokenTally:Alerts:Secrets:KeyVaultUri"] = "https://contoso.vault.azure.net/" }));
        Assert.NotEqual(typeof(KeyVaultChannelSecretStore), SecretStoreOf([]));
        Assert.NotNull(SecretStoreOf([]));
    }

    [Fact]
    public void AVaultUriThatIsNotHttpsStopsStartUpNamingTheSetting()
    {
        using var host = Build(new() { ["TokenTally:Alerts:Secrets:KeyVaultUri"] = "http://contoso.vault.azure.net/" });

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ChannelSecretsOptions>>().Value);

        Assert.Contains("TokenTally:Alerts:Secrets:KeyVaultUri must be an absolute https URL", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    private static Type? SecretStoreOf(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddTokenTallyFunctions(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        return services.Last(d => d.ServiceType == typeof(IChannelSecretStore)).ImplementationType;
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddTokenTallyFunctions(builder.Configuration);
        return builder.Build();
    }

    [GeneratedRegex("^[0-9a-zA-Z-]{1,127}$")]
    private static partial Regex VaultName();
}
