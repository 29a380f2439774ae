using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Tests.Hosts;
using TokenTally.Testing;

namespace TokenTally.Application.Tests.Alerts;

/// <summary>
/// The channels API of the Functions app with TokenTally:Alerts:Secrets:KeyVaultUri set: a channel's secret goes to the
/// vault (a loopback HTTPS stand-in for its REST API), never to a listing; a test alert signs with the secret read back from
/// the vault; deleting the channel deletes its secret there.
/// </summary>
public sealed class ChannelSecretsInKeyVaultTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : IAsyncLifetime
{
    private KeyVaultStandIn _vault = null!;
    private FunctionsApiHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _vault = await KeyVaultStandIn.StartAsync();
        _host = await FunctionsApiHost.StartAsync(
            cosmos,
            azurite,
            new Dictionary<string, string?>
            {
                ["TokenTally:Alerts:Secrets:KeyVaultUri"] = _vault.VaultUri.ToString(),
                ["TokenTally:Alerts:Channels:AllowLoopbackHttp"] = "true",
                ["TokenTally:Alerts:Channels:MaxAttempts"] = "1",
            },
            services => services.Replace(ServiceDescriptor.Singleton(_vault.CreateClient())));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _vault.DisposeAsync();
    }

    [Fact]
    public async Task AChannelsSecretLivesInTheVaultIsReadBackToSignAndIsDeletedWithTheChannel()
    {
        using var receiver = new RecordingHttpListener();
        var session = await ApiSession.CreateAsync(_host, ["ingest"]);
        var signingSecret = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var created = await session.SendAdminAsync(HttpMethod.Post, $"/api/v1/channels?tenant={session.Tenant}",
            new { name = "vault", kind = "webhook", settings = new { url = receiver.BaseAddress + "hook" }, secrets = new { signingSecret } });
        var channel = await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var id = channel.GetProperty("id").GetString()!;

        var stored = Assert.Single(_vault.Secrets);
        var listing = await (await session.SendAdminAsync(HttpMethod.Get, $"/api/v1/channels?tenant={session.Tenant}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var test = await session.SendAdminAsync(HttpMethod.Post, $"/api/v1/channels/{id}/test?tenant={session.Tenant}");
        var delivery = await test.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var deleted = await session.SendAdminAsync(HttpMethod.Delete, $"/api/v1/channels/{id}?tenant={session.Tenant}");

        Assert.Equal(signingSecret, stored.Value.Value);
        Assert.Equal(id, stored.Value.Tags["tokentally-channel"]);
        Assert.Equal(session.Tenant, stored.Value.Tags["tokentally-tenant"]);
        Assert.DoesNotContain("whsec_", listing, StringComparison.Ordinal);
        Assert.True(delivery.GetProperty("outcome").GetString() == "delivered", delivery.ToString());
        Assert.Single(receiver.Requests);
        Assert.Contains(_vault.Requests, r => r.Method == "GET" && r.Authorized && r.Path.StartsWith($"/secrets/{stored.Key}", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(_vault.Secrets);
        Assert.Equal(signingSecret, _vault.Deleted[stored.Key].Value);
    }
}
