namespace TokenTally.Core.Calls;

/// <summary>
/// Token counts of one call, in TokenTally's convention (the OpenAI and OpenTelemetry one):
/// <see cref="Input"/> counts every prompt token including cache reads and cache writes, and
/// <see cref="Output"/> counts every completion token including reasoning tokens.
/// </summary>
/// <param name="Input">All prompt tokens, including <paramref name="CachedInput"/> and <paramref name="CacheWrite"/>.</param>
/// <param name="Output">All completion tokens, including <paramref name="Reasoning"/>.</param>
/// <param name="CachedInput">Prompt tokens served from the provider's cache (cache reads).</param>
/// <param name="CacheWrite">Prompt tokens written into the provider's cache.</param>
/// <param name="Reasoning">Completion tokens spent on reasoning.</param>
public sealed record TokenUsage(long Input, long Output, long CachedInput = 0, long CacheWrite = 0, long Reasoning = 0)
{
    /// <summary>Prompt tokens billed at the plain input price: input minus cache reads and writes.</summary>
    public long UncachedInput => Input - CachedInput - CacheWrite;

    /// <summary>Completion tokens that are not reasoning.</summary>
    public long VisibleOutput => Output - Reasoning;

    /// <summary>Every token of the call, prompt and completion.</summary>
    public long Total => Input + Output;
}
