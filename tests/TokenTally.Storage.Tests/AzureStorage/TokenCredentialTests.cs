using Azure.Core;
using Microsoft.Extensions.Time.Testing;
using TokenTally.Storage.AzureStorage;

namespace TokenTally.Storage.Tests.AzureStorage;

public sealed class TokenCredentialTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RequestsCarryABearerTokenForTheStorageScope()
    {
        var tokens = new CountingCredential(_clock);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://account.blob.core.windows.net/archive/a.json");

        await StorageCredential.FromTokenCredential(tokens).AuthorizeAsync(request, _clock, Ct);

        Assert.Equal("Bearer token-1", Assert.Single(request.Headers.GetValues("Authorization")));
        Assert.Equal(["https://storage.azure.com/.default"], tokens.LastScopes);
    }

    [Fact]
    public async Task ATokenIsReusedUntilShortlyBeforeItExpires()
    {
        var tokens = new CountingCredential(_clock);
        var credential = StorageCredential.FromTokenCredential(tokens);

        await Authorize(credential);
        _clock.Advance(TimeSpan.FromMinutes(54));
        await Authorize(credential);
        Assert.Equal(1, tokens.Calls);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Authorize(credential);
        Assert.Equal(2, tokens.Calls);
    }

    [Fact]
    public async Task BearerTokensAreNeverSentOverPlainHttp()
    {
        var tokens = new CountingCredential(_clock);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:10000/devstoreaccount1/archive/a.json");

        await Assert.ThrowsAsync<InvalidOperationException>(() => StorageCredential.FromTokenCredential(tokens).AuthorizeAsync(request, _clock, Ct).AsTask());

        Assert.Equal(0, tokens.Calls);
    }

    private async Task Authorize(StorageCredential credential)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://account.blob.core.windows.net/archive/a.json");
        await credential.AuthorizeAsync(request, _clock, Ct);
    }

    /// <summary>Hands out numbered tokens that expire an hour after they are issued.</summary>
    private sealed class CountingCredential(TimeProvider clock) : TokenCredential
    {
        public int Calls { get; private set; }

        public string[] LastScopes { get; private set; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            LastScopes = requestContext.Scopes;
            return new AccessToken($"token-{Calls}", clock.GetUtcNow().AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
