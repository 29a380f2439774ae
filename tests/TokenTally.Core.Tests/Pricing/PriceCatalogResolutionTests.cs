using TokenTally.Core.Pricing;

namespace TokenTally.Core.Tests.Pricing;

public sealed class PriceCatalogResolutionTests
{
    private static readonly PriceCatalog Catalog = PriceCatalog.Default;

    [Theory]
    // OpenAI: case, white space, routing prefixes, dated snapshots, mini/nano/pro never collapse onto the base model
    [InlineData("openai", "gpt-4o", "openai/gpt-4o")]
    [InlineData("OpenAI", "GPT-4o", "openai/gpt-4o")]
    [InlineData("openai", "  gpt-4o\t", "openai/gpt-4o")]
    [InlineData("openai", "openai/gpt-4o", "openai/gpt-4o")]
    [InlineData("openai", "gpt-4o-2024-11-20", "openai/gpt-4o")]
    [InlineData("openai", "gpt-4o-2024-08-06", "openai/gpt-4o-2024-08-06")]
    [InlineData("openai", "gpt-4o-2024-05-13", "openai/gpt-4o-2024-05-13")]
    [InlineData("openai", "gpt-4o-mini", "openai/gpt-4o-mini")]
    [InlineData("openai", "gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini")]
    [InlineData("openai", "openai/gpt-4o-mini-2024-07-18", "openai/gpt-4o-mini")]
    [InlineData("openai", "gpt-4.1-mini-2025-04-14", "openai/gpt-4.1-mini")]
    [InlineData("openai", "gpt-4.1-nano", "openai/gpt-4.1-nano")]
    [InlineData("openai", "o3-2025-04-16", "openai/o3")]
    [InlineData("openai", "o3-mini-2025-01-31", "openai/o3-mini")]
    [InlineData("openai", "o4-mini", "openai/o4-mini")]
    [InlineData("openai", "gpt-5-mini-2025-08-07", "openai/gpt-5-mini")]
    [InlineData("openai", "gpt-5-pro-2025-10-06", "openai/gpt-5-pro")]
    [InlineData("openai", "gpt-5.4-mini-2026-03-17", "openai/gpt-5.4-mini")]
    [InlineData("openai", "gpt-5.4", "openai/gpt-5.4")]
    [InlineData("openai", "text-embedding-ada-002-v2", "openai/text-embedding-ada-002")]
    // Azure OpenAI: provider spellings, region prefixes, the pinned launch snapshot
    [InlineData("azure", "gpt-4o-2024-08-06", "azure-openai/gpt-4o")]
    [InlineData("azure_openai", "azure/eu/gpt-4o-mini-2024-07-18", "azure-openai/gpt-4o-mini")]
    [InlineData("Azure-OpenAI", "gpt-4o-2024-05-13", "azure-openai/gpt-4o-2024-05-13")]
    [InlineData("azure", "azure/global/gpt-5.1-2025-11-13", "azure-openai/gpt-5.1")]
    // Anthropic: -latest, compact dates, Vertex @ versions, dotted aliases, 4 vs 4-5 vs 4-1
    [InlineData("anthropic", "claude-3-5-sonnet-latest", "anthropic/claude-3-5-sonnet")]
    [InlineData("anthropic", "claude-3-5-sonnet-20241022", "anthropic/claude-3-5-sonnet")]
    [InlineData("anthropic", "claude-3-5-sonnet@20240620", "anthropic/claude-3-5-sonnet")]
    [InlineData("anthropic", "claude-3.5-sonnet", "anthropic/claude-3-5-sonnet")]
    [InlineData("anthropic", "anthropic/claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5")]
    [InlineData("anthropic", "claude-sonnet-4-20250514", "anthropic/claude-sonnet-4")]
    [InlineData("anthropic", "claude-sonnet-4-5", "anthropic/claude-sonnet-4-5")]
    [InlineData("anthropic", "claude-opus-4-1", "anthropic/claude-opus-4-1")]
    [InlineData("anthropic", "claude-opus-4", "anthropic/claude-opus-4")]
    [InlineData("anthropic", "claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5")]
    // Google under each of its provider spellings
    [InlineData("gemini", "gemini-2.0-flash-001", "google/gemini-2.0-flash")]
    [InlineData("google", "models/gemini-2.5-flash", "google/gemini-2.5-flash")]
    [InlineData("vertex_ai", "gemini-2.5-flash-lite", "google/gemini-2.5-flash-lite")]
    [InlineData("vertex_ai", "gemini-2.5-pro", "google/gemini-2.5-pro")]
    [InlineData("google", "gemini-2.5-flash-preview-05-20", "google/gemini-2.5-flash-preview-04-17")]
    // Mistral: the moving -latest names and the pinned snapshot
    [InlineData("mistral", "mistral-large-latest", "mistral/mistral-large")]
    [InlineData("mistral", "mistral-large-2411", "mistral/mistral-large-2411")]
    [InlineData("mistralai", "mistralai/mistral-small-latest", "mistral/mistral-small-3-2")]
    [InlineData("mistral", "codestral-latest", "mistral/codestral")]
    // Meta (Bedrock-priced) and Cohere
    [InlineData("meta", "meta-llama/Llama-3.3-70B-Instruct", "meta/llama-3.3-70b-instruct")]
    [InlineData("meta", "meta.llama3-1-8b-instruct-v1:0", "meta/llama-3.1-8b-instruct")]
    [InlineData("meta", "llama-4-maverick", "meta/llama-4-maverick-17b-128e-instruct")]
    [InlineData("cohere", "embed-v4.0", "cohere/embed-v4.0")]
    public void AReportedNameResolvesToItsCanonicalModel(string provider, string model, string expectedKey)
    {
        var resolved = Catalog.Resolve(provider, model);

        Assert.NotNull(resolved);
        Assert.Equal(expectedKey, resolved.Key);
    }

    [Theory]
    [InlineData("openai", "o3-pro")]
    [InlineData("openai", "o1-mini-2024-09-12")]
    [InlineData("openai", "gpt-4")]
    [InlineData("openai", "gpt-5-chat-latest")]
    [InlineData("openai", "gpt-4o-realtime-preview")]
    [InlineData("openai", "ft:gpt-4o-mini-2024-07-18:acme::abc123")]
    [InlineData("openai", "")]
    [InlineData("openai", "/")]
    [InlineData("openai", "-latest")]
    [InlineData("anthropic", "claude-2.1")]
    [InlineData("google", "gemini-1.5-pro")]
    [InlineData("google", "gemini-2.5-flash-lite-preview-06-17")]
    [InlineData("mistral", "mistral-large-2407")]
    [InlineData("mistral", "codestral-2405")]
    [InlineData("meta", "Llama-3.3-70B-Instruct-Turbo")]
    public void AnUnknownModelResolvesToNothingRatherThanToANeighbour(string provider, string model) =>
        Assert.Null(Catalog.Resolve(provider, model));

    [Theory]
    [InlineData("openai", "claude-sonnet-4-5")]
    [InlineData("anthropic", "gpt-4o")]
    [InlineData("bedrock", "claude-sonnet-4-5")]
    [InlineData("together", "meta-llama/Llama-3.3-70B-Instruct")]
    [InlineData("", "gpt-4o")]
    public void AModelIsOnlyFoundUnderItsOwnProvider(string provider, string model) =>
        Assert.Null(Catalog.Resolve(provider, model));

    [Theory]
    [InlineData("azure", "azure-openai")]
    [InlineData("AZURE_OPENAI", "azure-openai")]
    [InlineData("azure-openai", "azure-openai")]
    [InlineData("gemini", "google")]
    [InlineData("vertex_ai", "google")]
    [InlineData(" Google ", "google")]
    [InlineData("mistralai", "mistral")]
    [InlineData("meta-llama", "meta")]
    [InlineData("openai", "openai")]
    [InlineData("anthropic", "anthropic")]
    public void ProviderSpellingsNormalizeToTheCanonicalId(string provider, string expected) =>
        Assert.Equal(expected, Catalog.NormalizeProvider(provider));

    [Fact]
    public void EveryIdAndAliasResolvesToItsOwnModel()
    {
        foreach (var model in Catalog.Models)
        {
            foreach (var name in model.Aliases.Prepend(model.Id))
            {
                Assert.Same(model, Catalog.Resolve(model.Provider, name));
                Assert.Same(model, Catalog.Resolve(model.Provider, name.ToUpperInvariant()));
            }
        }
    }

    [Fact]
    public void ResolutionIsDeterministic()
    {
        var names = new[] { "gpt-4o-mini-2024-07-18", "gpt-4o-2024-11-20", "o3-mini", "gpt-5-nano-2025-08-07" };

        var first = names.Select(n => Catalog.Resolve("openai", n)?.Key).ToList();
        var again = names.Reverse().Select(n => Catalog.Resolve("openai", n)?.Key).Reverse().ToList();

        Assert.Equal(first, again);
        Assert.Equal(["openai/gpt-4o-mini", "openai/gpt-4o", "openai/o3-mini", "openai/gpt-5-nano"], first);
    }
}
