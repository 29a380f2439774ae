using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using TokenTally.Application.Json;
using TokenTally.Core.Anomalies.Slices;
using TokenTally.Core.Budgets;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Anomalies;

/// <summary>
/// An anomaly as stored and shown: the series and slice it is on, the hour of its first flagged point, its kind
/// (<c>spike</c>, <c>level_shift</c>), severity (<c>low</c> … <c>critical</c>), score, the observed value against the
/// expected value and 95 % range, the sensitivity the series was scanned with, the top contributing dimension values (cost
/// anomalies), and the verdict users gave (<c>false_positive</c>, <c>expected</c>, <c>confirmed</c>), if any.
/// </summary>
public sealed record AnomalyDocument(
    string Id,
    string Tenant,
    string Series,
    string Metric,
    string Slice,
    DateTimeOffset Hour,
    string Kind,
    string Severity,
    double Score,
    double Observed,
    double Expected,
    double Lower,
    double Upper,
    double Deviation,
    double Sensitivity,
    IReadOnlyList<Contributor> Contributors,
    DateTimeOffset DetectedAt,
    string? Verdict = null,
    DateTimeOffset? VerdictAt = null);

/// <summary>What users said about a series' anomalies: the verdict per anomaly id; it outlives the anomalies themselves.</summary>
public sealed record SeriesFeedbackDocument(string Tenant, string Series, IReadOnlyDictionary<string, string> Verdicts, DateTimeOffset UpdatedAt)
{
    /// <summary>How many anomalies of the series got each verdict.</summary>
    public (int FalsePositives, int Expected, int Confirmed) Counts =>
        (Verdicts.Values.Count(v => v == AnomalyVerdicts.FalsePositive), Verdicts.Values.Count(v => v == AnomalyVerdicts.Expected), Verdicts.Values.Count(v => v == AnomalyVerdicts.Confirmed));
}

/// <summary>The verdicts a user can give an anomaly.</summary>
public static class AnomalyVerdicts
{
    public const string FalsePositive = "false_positive";
    public const string Expected = "expected";
    public const string Confirmed = "confirmed";

    public static IReadOnlyList<string> All { get; } = [FalsePositive, Expected, Confirmed];
}

/// <summary>What a list of anomalies is filtered by; null filters match everything. <see cref="To"/> is exclusive.</summary>
public sealed record AnomalyFilter(string? Metric = null, string? Slice = null, string? Severity = null, string? Kind = null, DateTimeOffset? From = null, DateTimeOffset? To = null)
{
    public bool Matches(AnomalyDocument anomaly) =>
        (Metric is null || anomaly.Metric == Metric) && (Slice is null || anomaly.Slice == Slice) &&
        (Severity is null || anomaly.Severity == Severity) && (Kind is null || anomaly.Kind == Kind);
}

/// <summary>One page of anomalies, newest hour first, and the cursor of the next page (null on the last).</summary>
public sealed record AnomalyPage(IReadOnlyList<AnomalyDocument> Items, string? NextCursor);

/// <summary>
/// Anomalies in the config container, partition <c>&lt;tenant&gt;|anomalies</c>: each at id <c>anomaly:&lt;id&gt;</c>
/// (the id derived from tenant, series and hour, <see cref="SeriesKey.AnomalyId"/>) with range key
/// <c>a|yyyyMMddHH|&lt;id&gt;</c>, so an hour's window is one range read; they expire after <see cref="Retention"/>.
/// Each series' feedback lives beside them (<c>feedback:&lt;hash&gt;</c>), so a rescan that no longer flags an anomaly
/// keeps what was said about it.
/// </summary>
public sealed partial class AnomalyStore(IDocumentStore store)
{
    /// <summary>How long a stored anomaly is kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(180);

    private const int MaxAttempts = 10;
    private static readonly RangeKeyFilter AllFeedback = new("f|", "f}");

    /// <summary>The partition of a tenant's anomalies.</summary>
    public static string Partition(string tenant) => tenant + "|anomalies";

    public async Task<(AnomalyDocument Anomaly, string ETag)?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, Partition(tenant), "anomaly:" + id, cancellationToken) is { } document ? (Read(document), document.ETag) : null;

    /// <summary>The tenant's anomalies at the hours in [from, to), oldest first.</summary>
    public async Task<IReadOnlyList<AnomalyDocument>> ListWindowAsync(string tenant, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var found = new List<AnomalyDocument>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition(tenant), new RangeKeyFilter(HourPrefix(from), HourPrefix(to)), cancellationToken))
        {
            found.Add(Read(document));
        }

        return found;
    }

    /// <summary>
    /// Makes <paramref name="anomalies"/> the tenant's anomalies at the hours in [from, to): upserts each under its id,
    /// keeping the verdict and detection time of the one it replaces, and deletes those of the window it no longer has.
    /// Running it again with the same anomalies changes nothing.
    /// </summary>
    public async Task ReplaceWindowAsync(string tenant, DateTimeOffset from, DateTimeOffset to, IReadOnlyList<AnomalyDocument> anomalies, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        var existing = (await ListWindowAsync(tenant, from, to, cancellationToken)).ToDictionary(a => a.Id, StringComparer.Ordinal);
        var writes = anomalies.Select(a => existing.TryGetValue(a.Id, out var old) ? a with { DetectedAt = old.DetectedAt, Verdict = old.Verdict, VerdictAt = old.VerdictAt } : a)
            .Select(Write).ToList();
        if (writes.Count > 0)
        {
            await store.UpsertManyAsync(DocumentContainer.Config, writes, cancellationToken);
        }

        var kept = anomalies.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in existing.Keys.Where(id => !kept.Contains(id)))
        {
            await store.DeleteAsync(DocumentContainer.Config, Partition(tenant), "anomaly:" + gone, null, cancellationToken);
        }
    }

    /// <summary>The feedback on each of the tenant's series that has any, by series text.</summary>
    public async Task<IReadOnlyDictionary<string, SeriesFeedbackDocument>> FeedbackAsync(string tenant, CancellationToken cancellationToken)
    {
        var feedback = new Dictionary<string, SeriesFeedbackDocument>(StringComparer.Ordinal);
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition(tenant), AllFeedback, cancellationToken))
        {
            var read = document.As<SeriesFeedbackDocument>(TokenTallyJson.Options)!;
            feedback[read.Series] = read;
        }

        return feedback;
    }

    /// <summary>
    /// Records <paramref name="verdict"/> on the anomaly and in its series' feedback (a new verdict on the same anomaly
    /// replaces the old one, so the series' counts never count an anomaly twice). Null when there is no such anomaly.
    /// </summary>
    public async Task<AnomalyDocument?> SetVerdictAsync(string tenant, string id, string verdict, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await GetAsync(tenant, id, cancellationToken) is not { } found)
        {
            return null;
        }

        await UpdateFeedbackAsync(tenant, found.Anomaly.Series, id, verdict, now, cancellationToken);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = attempt == 0 ? found : await GetAsync(tenant, id, cancellationToken);
            if (current is not { } stored)
            {
                // Deleted by a rescan meanwhile: the series' feedback holds the verdict all the same.
                return found.Anomaly with { Verdict = verdict, VerdictAt = now };
            }

            var updated = stored.Anomaly with { Verdict = verdict, VerdictAt = now };
            if ((await store.UpsertAsync(DocumentContainer.Config, Write(updated), WriteCondition.IfMatch(stored.ETag), cancellationToken)).Succeeded)
            {
                return updated;
            }
        }

        throw new InvalidOperationException($"Anomaly {tenant}/{id} kept changing under {MaxAttempts} attempts to record its verdict.");
    }

    /// <summary>
    /// One page of the tenant's anomalies matching <paramref name="filter"/>, newest hour first (then id, descending);
    /// <paramref name="after"/> is the previous page's <see cref="AnomalyPage.NextCursor"/>, or null for the first.
    /// </summary>
    /// <exception cref="FormatException">The cursor is not one this store issued (check with <see cref="IsCursor"/> first).</exception>
    public async Task<AnomalyPage> ListAsync(string tenant, AnomalyFilter filter, int limit, string? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var upper = filter.To is { } to ? HourPrefix(to) : "a}";
        if (after is not null)
        {
            var position = ReadCursor(after) ?? throw new FormatException($"'{after}' is not an anomaly cursor.");
            upper = string.CompareOrdinal(position, upper) < 0 ? position : upper;
        }

        var range = new RangeKeyFilter(filter.From is { } from ? HourPrefix(from) : "a|", upper);
        var matching = new List<(string RangeKey, AnomalyDocument Anomaly)>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition(tenant), range, cancellationToken))
        {
            var anomaly = Read(document);
            if (filter.Matches(anomaly))
            {
                matching.Add((RangeKey(anomaly), anomaly));
            }
        }

        var page = matching.OrderByDescending(m => m.RangeKey, StringComparer.Ordinal).Take(limit + 1).ToList();
        var next = page.Count > limit ? Cursor(page[limit - 1].RangeKey) : null;
        return new AnomalyPage(page.Take(limit).Select(m => m.Anomaly).ToList(), next);
    }

    /// <summary>
    /// The highest-scoring anomaly at the hours in [from, to) whose slice lies within <paramref name="scope"/>: any slice for
    /// the whole tenant; otherwise a slice on one of the scope's values, when the scope filters that dimension alone.
    /// </summary>
    public async Task<AnomalyDocument?> TopInScopeAsync(string tenant, BudgetScope scope, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return (await ListWindowAsync(tenant, from, to, cancellationToken)).Where(a => InScope(scope, a.Slice))
            .OrderByDescending(a => a.Score).ThenByDescending(a => a.Hour).ThenBy(a => a.Id, StringComparer.Ordinal).FirstOrDefault();
    }

    /// <summary>Whether an anomaly's slice (<c>tenant</c> or <c>dimension=value</c>) lies within an alert rule's scope.</summary>
    public static bool InScope(BudgetScope scope, string slice)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(slice);
        if (scope.IsTenant)
        {
            return true;
        }

        return slice.Split('=', 2) is [var name, var value] && BudgetScope.Dimensions.TryGetValue(name, out var dimension)
            && scope.Filters.Count == 1 && scope.Filters.TryGetValue(dimension, out var values) && values.Contains(value, StringComparer.Ordinal);
    }

    /// <summary>Whether <paramref name="cursor"/> is one <see cref="ListAsync"/> issued.</summary>
    public static bool IsCursor(string cursor) => ReadCursor(cursor) is not null;

    private async Task UpdateFeedbackAsync(string tenant, string series, string id, string verdict, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var documentId = "feedback:" + SeriesHash(series);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await store.GetAsync(DocumentContainer.Config, Partition(tenant), documentId, cancellationToken);
            var feedback = current?.As<SeriesFeedbackDocument>(TokenTallyJson.Options) ?? new SeriesFeedbackDocument(tenant, series, new Dictionary<string, string>(), now);
            var verdicts = new Dictionary<string, string>(feedback.Verdicts, StringComparer.Ordinal) { [id] = verdict };
            var write = new DocumentWrite(Partition(tenant), documentId, JsonSerializer.SerializeToNode(feedback with { Verdicts = verdicts, UpdatedAt = now }, TokenTallyJson.Options)!.AsObject(), "f|" + SeriesHash(series));
            var written = await store.UpsertAsync(DocumentContainer.Config, write, current is null ? WriteCondition.IfNotExists : WriteCondition.IfMatch(current.ETag), cancellationToken);
            if (written.Succeeded)
            {
                return;
            }
        }

        throw new InvalidOperationException($"The feedback on {tenant}/{series} kept changing under {MaxAttempts} attempts to record a verdict.");
    }

    private static string HourPrefix(DateTimeOffset hour) => "a|" + hour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture);

    private static string RangeKey(AnomalyDocument anomaly) => HourPrefix(anomaly.Hour) + "|" + anomaly.Id;

    private static string SeriesHash(string series) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(series)).AsSpan(0, 8));

    private static DocumentWrite Write(AnomalyDocument anomaly) =>
        new(Partition(anomaly.Tenant), "anomaly:" + anomaly.Id, JsonSerializer.SerializeToNode(anomaly, TokenTallyJson.Options)!.AsObject(), RangeKey(anomaly), Retention);

    private static AnomalyDocument Read(StoredDocument document) =>
        document.As<AnomalyDocument>(TokenTallyJson.Options) ?? throw new InvalidOperationException($"Anomaly document {document.PartitionKey}/{document.Id} is empty.");

    private static string Cursor(string rangeKey) => Convert.ToBase64String(Encoding.UTF8.GetBytes(rangeKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The range key a cursor holds; null for anything this store did not issue.</summary>
    private static string? ReadCursor(string cursor)
    {
        var text = cursor.Replace('-', '+').Replace('_', '/');
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='), bytes, out var written))
        {
            return null;
        }

        var key = Encoding.UTF8.GetString(bytes, 0, written);
        return CursorPattern().IsMatch(key) ? key : null;
    }

    [GeneratedRegex(@"^a\|[0-9]{10}\|[0-9a-f]{16}$", RegexOptions.CultureInvariant)]
    private static partial Regex CursorPattern();
}
