using System.Globalization;
using System.Text;
using System.Text.Json;
using TokenTally.Application.Json;
using TokenTally.Core.Alerts;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts;

/// <summary>
/// An alert as stored: its state, and the notifications its transitions produced that are still to be dispatched (the
/// outbox, written in the same write as the state, so a transition is never lost between the write and the send), and who
/// is sending them now (<see cref="DispatchLease"/>), so two dispatches running side by side do not both send.
/// </summary>
public sealed record AlertDocument(string Tenant, Alert Alert, IReadOnlyList<AlertTransition> Outbox, DispatchLease? Lease = null);

/// <summary>A dispatch's claim on an alert's outbox, until it has sent and emptied it or the lease ends (it crashed).</summary>
/// <param name="Owner">The dispatch holding it: an hour run's instance id, the same for every retry of its activity.</param>
/// <param name="Until">When another dispatch may take the outbox over.</param>
public sealed record DispatchLease(string Owner, DateTimeOffset Until);

/// <summary>A stored alert with the etag of its document.</summary>
public sealed record StoredAlert(AlertDocument Document, string ETag)
{
    public Alert Alert => Document.Alert;
}

/// <summary>What a list of alerts is filtered by; null filters match everything.</summary>
public sealed record AlertFilter(AlertState? State = null, AlertSeverity? Severity = null, string? Rule = null, string? Scope = null)
{
    public bool Matches(Alert alert) =>
        (State is null || alert.State == State) && (Severity is null || alert.Severity == Severity) &&
        (Rule is null || alert.Key.RuleId == Rule) && (Scope is null || alert.Key.ScopeKey == Scope);
}

/// <summary>One page of alerts, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record AlertPage(IReadOnlyList<StoredAlert> Items, string? NextCursor);

/// <summary>What applying a transition asked by hand did; null alert when there is no such alert.</summary>
public sealed record AlertCommandOutcome(StoredAlert? Alert, AlertCommandResult? Result);

/// <summary>
/// Alerts in the config container: partition <c>&lt;tenant&gt;|alerts</c> (one partition read lists a tenant's alerts and
/// nothing else), id and range key <c>alert:&lt;id&gt;</c> with the id of the alert's key (<see cref="AlertKey.Id"/>), so
/// the same rule, scope, period and threshold always land on the same document. Every transition is a compare-and-swap
/// on the document's etag: of two concurrent evaluations, one writes and the other re-reads and finds nothing left to do.
/// </summary>
public sealed class AlertStore(IDocumentStore store)
{
    private const string IdPrefix = "alert:";
    private const int MaxAttempts = 10;
    private static readonly RangeKeyFilter AllAlerts = new(IdPrefix, "alert;");

    /// <summary>The partition of a tenant's alerts.</summary>
    public static string Partition(string tenant) => tenant + "|alerts";

    public async Task<StoredAlert?> GetAsync(string tenant, string id, CancellationToken cancellationToken) =>
        await store.GetAsync(DocumentContainer.Config, Partition(tenant), IdPrefix + id, cancellationToken) is { } document ? Read(document) : null;

    /// <summary>
    /// Evaluates one observation against the stored alert and writes the transition, with its notifications appended to the
    /// outbox, under the etag read; on a concurrent write it reads again and re-evaluates. Returns what this call applied:
    /// a retry of an evaluation already applied applies nothing and notifies nothing.
    /// </summary>
    public async Task<AlertEvaluation> EvaluateAsync(string tenant, AlertObservation observation, AlertPolicy policy, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await GetAsync(tenant, observation.Key.Id, cancellationToken);
            var evaluation = AlertLifecycle.Evaluate(current?.Alert, observation, policy, now);
            if (!evaluation.Changed)
            {
                return evaluation;
            }

            var document = new AlertDocument(tenant, evaluation.Alert!, [.. current?.Document.Outbox ?? [], .. evaluation.Notifications]);
            var written = await WriteAsync(document, current?.ETag, cancellationToken);
            if (written.Succeeded)
            {
                return evaluation;
            }
        }

        throw new InvalidOperationException($"Alert {tenant}/{observation.Key.Id} kept changing under {MaxAttempts} evaluations in a row.");
    }

    /// <summary>Applies a transition asked by hand (acknowledge, snooze, resolve) under the etag read, retrying on a concurrent write.</summary>
    public async Task<AlertCommandOutcome> ApplyAsync(string tenant, string id, Func<Alert, AlertCommandResult> transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await GetAsync(tenant, id, cancellationToken) is not { } current)
            {
                return new AlertCommandOutcome(null, null);
            }

            var result = transition(current.Alert);
            if (!result.Changed)
            {
                return new AlertCommandOutcome(current, result);
            }

            var document = current.Document with
            {
                Alert = result.Alert,
                Outbox = result.Notification is { } notification ? [.. current.Document.Outbox, notification] : current.Document.Outbox,
            };
            var written = await WriteAsync(document, current.ETag, cancellationToken);
            if (written.Succeeded)
            {
                return new AlertCommandOutcome(new StoredAlert(document, written.ETag!), result);
            }

            if (written.Status == WriteStatus.NotFound)
            {
                return new AlertCommandOutcome(null, null);
            }
        }

        throw new InvalidOperationException($"Alert {tenant}/{id} kept changing under {MaxAttempts} transitions in a row.");
    }

    /// <summary>The tenant's alerts with notifications still to be dispatched, oldest transition first within each alert.</summary>
    public async Task<IReadOnlyList<StoredAlert>> WithOutboxAsync(string tenant, CancellationToken cancellationToken)
    {
        var pending = new List<StoredAlert>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition(tenant), AllAlerts, cancellationToken))
        {
            if (Read(document) is { Document.Outbox.Count: > 0 } alert)
            {
                pending.Add(alert);
            }
        }

        return pending.OrderBy(a => a.Document.Outbox[0].At).ThenBy(a => a.Alert.Key.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Claims the alert's outbox for <paramref name="owner"/> until <paramref name="until"/>, unless another owner's lease is
    /// still running; returns the alert as claimed (its outbox is what the owner is to send), or null when it is not the
    /// owner's to send now (or nothing is left to send).
    /// </summary>
    public async Task<StoredAlert?> ClaimOutboxAsync(string tenant, string id, string owner, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await GetAsync(tenant, id, cancellationToken) is not { Document.Outbox.Count: > 0 } current
                || (current.Document.Lease is { } lease && lease.Owner != owner && lease.Until > now))
            {
                return null;
            }

            var document = current.Document with { Lease = new DispatchLease(owner, until) };
            var written = await WriteAsync(document, current.ETag, cancellationToken);
            if (written.Succeeded)
            {
                return new StoredAlert(document, written.ETag!);
            }

            if (written.Status == WriteStatus.NotFound)
            {
                return null;
            }
        }

        throw new InvalidOperationException($"Alert {tenant}/{id} kept changing under {MaxAttempts} attempts to claim its outbox.");
    }

    /// <summary>
    /// Takes the dispatched notifications (by idempotency id) out of an alert's outbox and ends the dispatch's lease, under
    /// the etag read, retrying on a concurrent write; notifications added meanwhile stay. Taking ids no longer there changes nothing.
    /// </summary>
    public async Task MarkDispatchedAsync(string tenant, string id, IReadOnlyCollection<string> idempotencyIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(idempotencyIds);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (await GetAsync(tenant, id, cancellationToken) is not { } current || (!current.Document.Outbox.Any(t => idempotencyIds.Contains(t.IdempotencyId)) && current.Document.Lease is null))
            {
                return;
            }

            var document = current.Document with { Outbox = current.Document.Outbox.Where(t => !idempotencyIds.Contains(t.IdempotencyId)).ToList(), Lease = null };
            if ((await WriteAsync(document, current.ETag, cancellationToken)).Status is WriteStatus.Succeeded or WriteStatus.NotFound)
            {
                return;
            }
        }

        throw new InvalidOperationException($"Alert {tenant}/{id} kept changing under {MaxAttempts} attempts to mark its notifications dispatched.");
    }

    /// <summary>
    /// One page of a tenant's alerts matching <paramref name="filter"/>, newest first (by creation, then id): the partition is
    /// read whole and sorted here, as the document port has no ORDER BY.
    /// </summary>
    /// <remarks><paramref name="after"/> is the cursor of the previous page (<see cref="AlertPage.NextCursor"/>), or null for the first.</remarks>
    /// <exception cref="FormatException">The cursor is not one this store issued (check with <see cref="TryReadCursor"/> first).</exception>
    public async Task<AlertPage> ListAsync(string tenant, AlertFilter filter, int limit, string? after, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        (DateTimeOffset CreatedAt, string Id)? position = null;
        if (after is not null)
        {
            position = TryReadCursor(after, out var createdAt, out var id) ? (createdAt, id) : throw new FormatException($"'{after}' is not an alert cursor.");
        }

        var matching = new List<StoredAlert>();
        await foreach (var document in store.QueryPartitionAsync(DocumentContainer.Config, Partition(tenant), AllAlerts, cancellationToken))
        {
            var alert = Read(document);
            if (filter.Matches(alert.Alert) && (position is not { } p || IsAfter(alert.Alert, p.CreatedAt, p.Id)))
            {
                matching.Add(alert);
            }
        }

        var page = matching.OrderByDescending(a => a.Alert.CreatedAt).ThenBy(a => a.Alert.Key.Id, StringComparer.Ordinal).Take(limit + 1).ToList();
        var next = page.Count > limit ? Cursor(page[limit - 1].Alert) : null;
        return new AlertPage(page.Take(limit).ToList(), next);
    }

    /// <summary>Reads a cursor: base64url of the last item's creation time (UTC ticks) and id.</summary>
    public static bool TryReadCursor(string cursor, out DateTimeOffset createdAt, out string id)
    {
        createdAt = default;
        id = string.Empty;
        var text = cursor.Replace('-', '+').Replace('_', '/');
        var bytes = new byte[text.Length];
        if (!Convert.TryFromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='), bytes, out var written))
        {
            return false;
        }

        var parts = Encoding.UTF8.GetString(bytes, 0, written).Split(':');
        if (parts is not [var ticks, var key] || !long.TryParse(ticks, NumberStyles.None, CultureInfo.InvariantCulture, out var utcTicks)
            || utcTicks > DateTimeOffset.MaxValue.UtcTicks || key.Length != 16 || !key.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        createdAt = new DateTimeOffset(utcTicks, TimeSpan.Zero);
        id = key;
        return true;
    }

    private static string Cursor(Alert alert) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{alert.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{alert.Key.Id}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="alert"/> comes after the cursor's item in newest-first order.</summary>
    private static bool IsAfter(Alert alert, DateTimeOffset createdAt, string id) =>
        alert.CreatedAt < createdAt || (alert.CreatedAt == createdAt && string.CompareOrdinal(alert.Key.Id, id) > 0);

    private Task<WriteResult> WriteAsync(AlertDocument alert, string? etag, CancellationToken cancellationToken)
    {
        var id = IdPrefix + alert.Alert.Key.Id;
        var write = new DocumentWrite(Partition(alert.Tenant), id, JsonSerializer.SerializeToNode(alert, TokenTallyJson.Options)!.AsObject(), RangeKey: id);
        return store.UpsertAsync(DocumentContainer.Config, write, etag is null ? WriteCondition.IfNotExists : WriteCondition.IfMatch(etag), cancellationToken);
    }

    private static StoredAlert Read(StoredDocument document) =>
        new(document.As<AlertDocument>(TokenTallyJson.Options) ?? throw new InvalidOperationException($"Alert document {document.PartitionKey}/{document.Id} is empty."), document.ETag);
}
