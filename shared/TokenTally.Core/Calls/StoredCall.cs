using TokenTally.Core.Pricing;

namespace TokenTally.Core.Calls;

/// <summary>A call as the ledger keeps it: the event as received, how it was priced, when it arrived, and how it was priced before any re-rating.</summary>
/// <param name="Event">The validated call.</param>
/// <param name="Pricing">Its current pricing.</param>
/// <param name="ReceivedAt">When this content first arrived (a re-sent identical record keeps the first time).</param>
/// <param name="PriceHistory">Earlier pricings, oldest first; null when never re-rated.</param>
public sealed record StoredCall(CallEvent Event, PricedCall Pricing, DateTimeOffset ReceivedAt, IReadOnlyList<PriceChange>? PriceHistory = null);

/// <summary>A pricing a call had until it was re-rated at <paramref name="ReplacedAt"/>.</summary>
/// <param name="Pricing">The pricing replaced.</param>
/// <param name="ReplacedAt">When it was replaced.</param>
public sealed record PriceChange(PricedCall Pricing, DateTimeOffset ReplacedAt);
