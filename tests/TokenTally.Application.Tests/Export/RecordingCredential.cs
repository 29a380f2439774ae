using Azure.Core;

namespace TokenTally.Application.Tests.Export;

/// <summary>A TokenCredential that hands out a fixed token and records the scopes asked for.</summary>
internal sealed class RecordingCredential : TokenCredential
{
    public const string Token = "test-token-of-the-app-identity";

    public List<string> Scopes { get; } = [];

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
    {
        lock (Scopes)
        {
            Scopes.AddRange(requestContext.Scopes);
        }

        return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
    }

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}
