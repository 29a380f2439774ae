namespace TokenTally.Demo;

/// <summary>A demo project and its Azure OpenAI deployment → model mapping.</summary>
public sealed record DemoProject(string Name, IReadOnlyDictionary<string, string> AzureDeployments);

/// <summary>A member of staff of the demo company.</summary>
public sealed record DemoUser(int Index, string Id, string Department, string Region);

/// <summary>How a provider caches prompts, which decides the cache-read and cache-write counts.</summary>
internal enum CacheStyle
{
    /// <summary>No prompt caching (Mistral, embeddings).</summary>
    None,

    /// <summary>OpenAI and Azure OpenAI: automatic, prompts of 1,024 tokens or more, in 128-token steps; no write charge.</summary>
    Automatic,

    /// <summary>Anthropic: explicit cache breakpoints on a fixed prefix; a miss writes the prefix, a hit reads it.</summary>
    Explicit,

    /// <summary>Gemini 2.5: implicit caching of a shared prefix; reads only.</summary>
    Implicit,
}

/// <summary>How a model answers: what the client sends, what the provider names, and how fast it is.</summary>
/// <param name="Provider">The provider as the client sends it.</param>
/// <param name="Model">The model as sent; null for an Azure deployment.</param>
/// <param name="ResponseModel">The snapshot the provider says answered.</param>
/// <param name="FirstTokenMs">Median time to the first token of a small prompt.</param>
/// <param name="TokensPerSecond">Median generation speed.</param>
/// <param name="PrefillMsPerToken">Extra time to first token per uncached prompt token.</param>
/// <param name="Cache">How the provider caches prompts.</param>
internal sealed record ModelProfile(string Provider, string? Model, string ResponseModel, double FirstTokenMs, double TokensPerSecond, double PrefillMsPerToken, CacheStyle Cache)
{
    public bool IsEmbedding => ResponseModel.Contains("embedding", StringComparison.Ordinal);
}

/// <summary>One way a service uses a model, with its share of the service's calls and the typical size of a call.</summary>
/// <param name="Profile">The model.</param>
/// <param name="Weight">Relative share of the service's calls.</param>
/// <param name="InputMedian">Median prompt tokens besides a cached prefix.</param>
/// <param name="OutputMedian">Median visible completion tokens.</param>
/// <param name="Deployment">The Azure OpenAI deployment name, for azure-openai.</param>
/// <param name="DeploymentType">The Azure deployment type (global, data-zone).</param>
/// <param name="ServiceTier">standard or batch.</param>
/// <param name="ReasoningMedian">Median reasoning tokens (0: none).</param>
/// <param name="ReasoningShare">Share of calls that reason at all.</param>
/// <param name="CachePrefix">Tokens of the fixed prefix (system prompt, tools, knowledge) that explicit caching covers.</param>
/// <param name="Premium">A big model whose share a release may raise.</param>
internal sealed record ModelUse(
    ModelProfile Profile,
    double Weight,
    double InputMedian,
    double OutputMedian,
    string? Deployment = null,
    string? DeploymentType = null,
    string ServiceTier = "standard",
    double ReasoningMedian = 0,
    double ReasoningShare = 1,
    double CachePrefix = 0,
    bool Premium = false);

/// <summary>A release of a service from a day (relative to the demo's anchor) on, and how it changed calls.</summary>
/// <param name="Version">The release name.</param>
/// <param name="From">When it went live, relative to the anchor's midnight UTC (e.g. −5 days + 09:30).</param>
/// <param name="InputFactor">Prompt size relative to the first release.</param>
/// <param name="OutputFactor">Completion size relative to the first release.</param>
/// <param name="LatencyFactor">Latency relative to the first release.</param>
/// <param name="PremiumFactor">How much more often the service picks its premium models.</param>
internal sealed record DemoRelease(string Version, TimeSpan From, double InputFactor = 1, double OutputFactor = 1, double LatencyFactor = 1, double PremiumFactor = 1);

/// <summary>When a service is busy.</summary>
internal enum DailyShape
{
    /// <summary>Office hours (Europe and the US east coast), quiet nights and weekends.</summary>
    Business,

    /// <summary>A nightly batch job (00:00-05:00 UTC), every day of the week.</summary>
    Nightly,
}

/// <summary>A service of the demo company: who uses it, when, with which models.</summary>
internal sealed record DemoService(
    int Index,
    string Name,
    string Project,
    string Team,
    double Share,
    DailyShape Shape,
    IReadOnlyList<(string Department, double Weight)> Audience,
    string? SystemDepartment,
    double ErrorRate,
    double TraceShare,
    bool Agent,
    bool Streaming,
    IReadOnlyList<string> Features,
    IReadOnlyList<DemoRelease> Releases,
    IReadOnlyList<ModelUse> Models);

/// <summary>A daily budget (UTC) on one service, alerting at 50, 80 and 100 %.</summary>
public sealed record DemoBudget(string Name, string Service, decimal AmountUsd);

/// <summary>
/// The demo company: 300 staff in six departments, six services in three projects, twelve models
/// of five providers. Fixed tables; the traffic's randomness lives in <see cref="DemoTraffic"/>.
/// </summary>
public static class DemoCompany
{
    public const string Tenant = "demo";
    public const string Experiment = "prompt-v2";
    public const string ExperimentService = "support-chat";
    public const string RunawayService = "code-review-agent";

    /// <summary>
    /// The budget the runaway agent blows: a UTC day of code-review-agent, 100 USD per 4,000 calls a day of the company.
    /// Measured at that volume (GET /api/v1/costs, seed 42), a normal day of the agent costs 6-31 USD and the incident's two
    /// hours about 270 USD, so ordinary days stay under the first threshold (50 %) and the incident's day crosses all three.
    /// </summary>
    public static DemoBudget IncidentBudget(int callsPerDay) =>
        new($"{RunawayService} daily", RunawayService, Math.Round(100m * callsPerDay / 4_000m, 2, MidpointRounding.AwayFromZero));

    /// <summary>The projects, each with the Azure deployments its calls name.</summary>
    public static IReadOnlyList<DemoProject> Projects { get; } =
    [
        new("support-bot", new Dictionary<string, string> { ["gpt4o-eu"] = "gpt-4o", ["gpt4o-mini-eu"] = "gpt-4o-mini" }),
        new("search", new Dictionary<string, string> { ["embed-small"] = "text-embedding-3-small" }),
        new("code-assistant", new Dictionary<string, string>()),
    ];

    /// <summary>Head count per department (300 in all).</summary>
    public static IReadOnlyList<(string Department, int People)> Departments { get; } =
    [
        ("engineering", 95), ("support", 70), ("sales", 60), ("marketing", 40), ("finance", 25), ("legal", 10),
    ];

    /// <summary>Every member of staff, u-0001 … u-0300, departments interleaved as in a real directory.</summary>
    public static IReadOnlyList<DemoUser> Users { get; } = CreateUsers();

    internal static IReadOnlyDictionary<string, IReadOnlyList<DemoUser>> UsersByDepartment { get; } =
        Users.GroupBy(u => u.Department).ToDictionary(g => g.Key, g => (IReadOnlyList<DemoUser>)g.ToList());

    // Models as the clients send them: aliases (codestral-latest) and snapshots are normalized by the server.
    internal static readonly ModelProfile Gpt4o = new("openai", "gpt-4o", "gpt-4o-2024-11-20", 420, 85, 0.025, CacheStyle.Automatic);
    internal static readonly ModelProfile Gpt4oMini = new("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", 300, 130, 0.012, CacheStyle.Automatic);
    internal static readonly ModelProfile Gpt41Mini = new("openai", "gpt-4.1-mini", "gpt-4.1-mini-2025-04-14", 320, 120, 0.012, CacheStyle.Automatic);
    internal static readonly ModelProfile O4Mini = new("openai", "o4-mini", "o4-mini-2025-04-16", 650, 140, 0.015, CacheStyle.Automatic);
    internal static readonly ModelProfile EmbeddingSmall = new("openai", "text-embedding-3-small", "text-embedding-3-small", 60, 0, 0.004, CacheStyle.None);
    internal static readonly ModelProfile AzureGpt4o = Gpt4o with { Provider = "azure-openai", Model = null };
    internal static readonly ModelProfile AzureGpt4oMini = Gpt4oMini with { Provider = "azure-openai", Model = null };
    internal static readonly ModelProfile AzureEmbeddingSmall = EmbeddingSmall with { Provider = "azure-openai", Model = null };
    internal static readonly ModelProfile ClaudeSonnet = new("anthropic", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929", 950, 65, 0.02, CacheStyle.Explicit);
    internal static readonly ModelProfile ClaudeHaiku = new("anthropic", "claude-haiku-4-5", "claude-haiku-4-5-20251001", 480, 140, 0.01, CacheStyle.Explicit);
    internal static readonly ModelProfile ClaudeOpus = new("anthropic", "claude-opus-4-1", "claude-opus-4-1-20250805", 1600, 32, 0.035, CacheStyle.Explicit);
    internal static readonly ModelProfile GeminiFlash = new("google", "gemini-2.5-flash", "gemini-2.5-flash", 380, 190, 0.006, CacheStyle.Implicit);
    internal static readonly ModelProfile GeminiPro = new("google", "gemini-2.5-pro", "gemini-2.5-pro", 1100, 80, 0.015, CacheStyle.Implicit);
    internal static readonly ModelProfile Codestral = new("mistral", "codestral-latest", "codestral-2508", 180, 170, 0.008, CacheStyle.None);
    internal static readonly ModelProfile MistralSmall = new("mistral", "mistral-small-latest", "mistral-small-2506", 240, 150, 0.008, CacheStyle.None);

    /// <summary>What the runaway agent of the injected spike calls: the biggest model, its context growing from half to one and a half times 60k.</summary>
    internal static readonly ModelUse Runaway = new(ClaudeOpus, 1, 60_000, 2_200, CachePrefix: 24_000);

    internal static IReadOnlyList<DemoService> Services { get; } =
    [
        new(0, "support-chat", "support-bot", "customer-care", 0.27, DailyShape.Business, [("support", 0.7), ("sales", 0.3)], null,
            ErrorRate: 0.03, TraceShare: 0.7, Agent: false, Streaming: true,
            ["reply-draft", "kb-answer", "summarize-ticket", "tone-rewrite"],
            [
                new("2.3.1", TimeSpan.FromDays(-60)),
                new("2.4.0", TimeSpan.FromDays(-12) + new TimeSpan(10, 15, 0)),
                // The release five days ago retrieves more context and prefers Sonnet: pricier and slower.
                new("2.5.0", TimeSpan.FromDays(-5) + new TimeSpan(9, 30, 0), InputFactor: 1.35, OutputFactor: 1.15, LatencyFactor: 1.3, PremiumFactor: 1.8),
            ],
            [
                new(AzureGpt4o, 0.33, 2_800, 380, Deployment: "gpt4o-eu", DeploymentType: "data-zone"),
                new(AzureGpt4oMini, 0.30, 2_200, 260, Deployment: "gpt4o-mini-eu", DeploymentType: "data-zone"),
                new(ClaudeSonnet, 0.25, 1_800, 420, CachePrefix: 5_200, Premium: true),
                new(ClaudeHaiku, 0.12, 900, 200, CachePrefix: 5_200),
            ]),
        new(1, "ticket-triage", "support-bot", "customer-care", 0.08, DailyShape.Business, [], "support",
            ErrorRate: 0.01, TraceShare: 0, Agent: false, Streaming: false,
            ["classify", "route", "sentiment"],
            [new("1.12.0", TimeSpan.FromDays(-60)), new("1.13.0", TimeSpan.FromDays(-9) + new TimeSpan(14, 0, 0))],
            [
                new(Gpt41Mini, 0.7, 1_100, 60, ServiceTier: "batch"),
                new(GeminiFlash, 0.3, 1_300, 80, ServiceTier: "batch"),
            ]),
        new(2, "search-api", "search", "knowledge", 0.24, DailyShape.Business, Departments.Select(d => (d.Department, (double)d.People)).ToList(), null,
            ErrorRate: 0.02, TraceShare: 0.6, Agent: false, Streaming: true,
            ["ask", "semantic-search", "related-docs"],
            [new("3.7.2", TimeSpan.FromDays(-60)), new("3.8.0", TimeSpan.FromDays(-16) + new TimeSpan(11, 0, 0))],
            [
                new(AzureEmbeddingSmall, 0.45, 22, 0, Deployment: "embed-small", DeploymentType: "global"),
                new(GeminiFlash, 0.35, 3_200, 260, ReasoningMedian: 300, ReasoningShare: 0.5),
                new(Gpt4oMini, 0.20, 2_600, 240),
            ]),
        new(3, "doc-indexer", "search", "platform", 0.07, DailyShape.Nightly, [], "engineering",
            ErrorRate: 0.005, TraceShare: 0, Agent: false, Streaming: false,
            ["reindex", "incremental"],
            [new("0.14.3", TimeSpan.FromDays(-60))],
            [new(EmbeddingSmall, 1, 6_500, 0, ServiceTier: "batch")]),
        new(4, RunawayService, "code-assistant", "developer-productivity", 0.10, DailyShape.Business, [("engineering", 1)], null,
            ErrorRate: 0.04, TraceShare: 1, Agent: true, Streaming: true,
            ["pr-review", "fix-suggestion", "test-writer"],
            [new("0.9.4", TimeSpan.FromDays(-60)), new("1.0.0", TimeSpan.FromDays(-8) + new TimeSpan(13, 0, 0), InputFactor: 1.1)],
            [
                new(ClaudeSonnet, 0.6, 9_000, 900, CachePrefix: 18_000, Premium: true),
                new(O4Mini, 0.25, 7_000, 500, ReasoningMedian: 1_600),
                new(GeminiPro, 0.15, 12_000, 700, ReasoningMedian: 1_200),
            ]),
        new(5, "ide-copilot", "code-assistant", "developer-productivity", 0.24, DailyShape.Business, [("engineering", 1)], null,
            ErrorRate: 0.015, TraceShare: 0, Agent: false, Streaming: true,
            ["complete", "explain", "refactor"],
            [new("5.2.0", TimeSpan.FromDays(-60)), new("5.3.0", TimeSpan.FromDays(-19) + new TimeSpan(10, 0, 0))],
            [
                new(Codestral, 0.55, 1_400, 45),
                new(Gpt41Mini, 0.30, 2_400, 220),
                new(MistralSmall, 0.15, 1_800, 260),
            ]),
    ];

    private static List<DemoUser> CreateUsers()
    {
        // A fixed shuffle (not the traffic seed): the company is the same whatever the seed.
        var departments = Departments.SelectMany(d => Enumerable.Repeat(d.Department, d.People)).ToArray();
        var random = new DemoRandom(0x7E57_C0DE);
        for (var i = departments.Length - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (departments[i], departments[j]) = (departments[j], departments[i]);
        }

        return departments.Select((department, i) => new DemoUser(
            i, $"u-{i + 1:0000}", department, random.NextDouble() < 0.6 ? "eu-west" : "us-east")).ToList();
    }
}
