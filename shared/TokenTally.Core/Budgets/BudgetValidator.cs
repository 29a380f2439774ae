using System.Globalization;
using System.Text.RegularExpressions;
using TokenTally.Core.Calls;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Budgets;

/// <summary>A budget as sent, before validation: every field optional, names and dates as text.</summary>
/// <param name="Name">Required.</param>
/// <param name="Scope">Dimension name → values; null or empty for the whole tenant.</param>
/// <param name="Period">Required.</param>
/// <param name="AmountUsd">Required, more than 0.</param>
/// <param name="Thresholds">Percentages; null for <see cref="Budget.DefaultThresholds"/>.</param>
/// <param name="AlertOnForecast">Null for false.</param>
/// <param name="Channels">Channel ids; null for none.</param>
public sealed record BudgetDraft(
    string? Name,
    IReadOnlyDictionary<string, IReadOnlyList<string>?>? Scope,
    PeriodDraft? Period,
    decimal? AmountUsd,
    IReadOnlyList<decimal>? Thresholds,
    bool? AlertOnForecast,
    IReadOnlyList<string>? Channels);

/// <summary>A period as sent.</summary>
/// <param name="Kind"><c>day</c>, <c>week</c>, <c>month</c>, <c>quarter</c> or <c>fixed</c>.</param>
/// <param name="TimeZone">An IANA time zone id; null for UTC.</param>
/// <param name="From">For <c>fixed</c> only: the first day, <c>yyyy-MM-dd</c>.</param>
/// <param name="To">For <c>fixed</c> only: the day after the last, <c>yyyy-MM-dd</c> (exclusive).</param>
public sealed record PeriodDraft(string? Kind, string? TimeZone, string? From = null, string? To = null);

/// <summary>The outcome of <see cref="BudgetValidator.Validate"/>: a budget, or every field error found.</summary>
/// <param name="Budget">The valid budget; null when there are errors.</param>
/// <param name="Errors">Each problem, named by its JSON field (<c>scope.team</c>, <c>thresholds</c>, <c>channels[1]</c>).</param>
public sealed record BudgetValidation(Budget? Budget, IReadOnlyList<FieldError> Errors)
{
    /// <summary>Whether the draft was valid.</summary>
    public bool IsValid => Budget is not null;
}

/// <summary>
/// Checks a <see cref="BudgetDraft"/> and collects every error rather than stopping at the first. Codes: <c>required</c>,
/// <c>length</c>, <c>unknown</c> (a dimension or time zone that does not exist), <c>empty</c>, <c>duplicate</c>,
/// <c>combination</c> (dimensions no rollup holds together), <c>enum</c>, <c>format</c>, <c>unexpected</c>, <c>range</c>
/// and <c>order</c>. Whether a channel exists is not known here: the caller checks the ids against its directory.
/// </summary>
public static partial class BudgetValidator
{
    /// <summary>The longest budget name.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The longest value of a scope filter.</summary>
    public const int MaxValueLength = 256;

    /// <summary>The most thresholds a budget has.</summary>
    public const int MaxThresholds = 10;

    /// <summary>The highest threshold, in percent.</summary>
    public const decimal MaxThreshold = 1000m;

    /// <summary>The most channels a budget names.</summary>
    public const int MaxChannels = 20;

    /// <summary>Validates <paramref name="draft"/>, applying the defaults (UTC, thresholds 50/80/100, no forecast, no channels).</summary>
    public static BudgetValidation Validate(BudgetDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = new List<FieldError>();
        var name = draft.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new FieldError("name", "required", "name is required."));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new FieldError("name", "length", $"name is at most {MaxNameLength} characters."));
        }

        var scope = ValidateScope(draft.Scope, errors);
        var period = ValidatePeriod(draft.Period, errors);
        if (draft.AmountUsd is not { } amount)
        {
            errors.Add(new FieldError("amountUsd", "required", "amountUsd is required: the spend allowed per period, in USD."));
        }
        else if (amount <= 0)
        {
            errors.Add(new FieldError("amountUsd", "range", $"amountUsd must be more than 0, not {amount.ToString(CultureInfo.InvariantCulture)}."));
        }

        var thresholds = draft.Thresholds ?? Budget.DefaultThresholds;
        ValidateThresholds(thresholds, errors);
        var channels = draft.Channels ?? [];
        ValidateChannels(channels, errors);

        return errors.Count > 0
            ? new BudgetValidation(null, errors)
            : new BudgetValidation(new Budget(name!, scope!, period!, draft.AmountUsd!.Value, thresholds.ToList(), draft.AlertOnForecast ?? false, channels.ToList()), []);
    }

    /// <summary>Whether <paramref name="id"/> can name a channel: 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit.</summary>
    public static bool IsChannelId(string? id) => id is not null && ChannelIdPattern().IsMatch(id);

    internal static BudgetScope? ValidateScope(IReadOnlyDictionary<string, IReadOnlyList<string>?>? scope, List<FieldError> errors)
    {
        var filters = new Dictionary<Dimension, IReadOnlyList<string>>();
        var valid = true;
        foreach (var (name, values) in scope ?? new Dictionary<string, IReadOnlyList<string>?>())
        {
            var field = "scope." + name;
            if (!BudgetScope.Dimensions.TryGetValue(name, out var dimension))
            {
                errors.Add(new FieldError(field, "unknown", $"'{name}' is not a dimension a budget can filter on; use {string.Join(", ", BudgetScope.Dimensions.Keys)}."));
                valid = false;
                continue;
            }

            if (values is null || values.Count == 0)
            {
                errors.Add(new FieldError(field, "empty", $"{field} lists no values; list one or more, or leave the dimension out to count all of them."));
                valid = false;
                continue;
            }

            if (values.FirstOrDefault(v => string.IsNullOrWhiteSpace(v) || v.Length > MaxValueLength) is { } bad)
            {
                errors.Add(new FieldError(field, "length", $"Each value of {field} is 1-{MaxValueLength} characters and not blank ('{Truncate(bad)}' is not)."));
                valid = false;
                continue;
            }

            if (values.GroupBy(v => v, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
            {
                errors.Add(new FieldError(field, "duplicate", $"{field} lists '{Truncate(repeated.Key)}' more than once."));
                valid = false;
                continue;
            }

            filters[dimension] = values.ToList();
        }

        if (valid && Cube.Covering(filters.Keys) is null)
        {
            errors.Add(new FieldError("scope", "combination",
                $"No rollup holds {string.Join(" and ", filters.Keys.Select(BudgetScope.NameOf))} together, so no budget can count them: " +
                "user combines with project and department only; the other dimensions combine with each other."));
            valid = false;
        }

        return valid ? BudgetScope.Of(filters) : null;
    }

    private static BudgetPeriod? ValidatePeriod(PeriodDraft? period, List<FieldError> errors)
    {
        if (period is null)
        {
            errors.Add(new FieldError("period", "required", "period is required: {\"kind\": \"month\", \"timeZone\": \"Europe/Berlin\"} or {\"kind\": \"fixed\", \"from\": \"2026-12-01\", \"to\": \"2027-01-01\"}."));
            return null;
        }

        var count = errors.Count;
        BudgetPeriodKind kind = default;
        if (period.Kind is null)
        {
            errors.Add(new FieldError("period.kind", "required", "period.kind is required: day, week, month, quarter or fixed."));
        }
        else if (!TryKind(period.Kind, out kind))
        {
            errors.Add(new FieldError("period.kind", "enum", $"'{Truncate(period.Kind)}' is not a period kind; use day, week, month, quarter or fixed."));
        }

        if (!TryZone(period.TimeZone, out var zone))
        {
            errors.Add(new FieldError("period.timeZone", "unknown", $"'{Truncate(period.TimeZone!)}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)."));
        }

        DateOnly from = default, to = default;
        if (period.Kind is not null && kind == BudgetPeriodKind.Fixed && errors.Count == count)
        {
            var fromValid = TryDate(period.From, "period.from", "the first day of the range", errors, out from);
            var toValid = TryDate(period.To, "period.to", "the day after its last (exclusive)", errors, out to);
            if (fromValid && toValid && to <= from)
            {
                errors.Add(new FieldError("period.to", "range", $"period.to ({period.To}) must be after period.from ({period.From}); it is the day after the range's last day."));
            }
        }
        else if (period.Kind is not null && errors.Count == count)
        {
            foreach (var (field, value) in new[] { ("period.from", period.From), ("period.to", period.To) }.Where(f => f.Item2 is not null))
            {
                errors.Add(new FieldError(field, "unexpected", $"{field} is for a fixed range only; a {period.Kind} period repeats."));
            }
        }

        return errors.Count > count ? null : kind == BudgetPeriodKind.Fixed ? BudgetPeriod.FixedRange(from, to, zone) : BudgetPeriod.Recurring(kind, zone);
    }

    private static void ValidateThresholds(IReadOnlyList<decimal> thresholds, List<FieldError> errors)
    {
        if (thresholds.Count > MaxThresholds)
        {
            errors.Add(new FieldError("thresholds", "length", $"A budget has at most {MaxThresholds} thresholds."));
        }

        for (var i = 0; i < thresholds.Count; i++)
        {
            if (thresholds[i] is <= 0 or > MaxThreshold)
            {
                errors.Add(new FieldError($"thresholds[{i}]", "range", $"A threshold is a percentage of the amount, more than 0 and at most {MaxThreshold:0}; not {thresholds[i].ToString(CultureInfo.InvariantCulture)}."));
            }
        }

        if (thresholds.GroupBy(t => t).Where(g => g.Count() > 1).Select(g => g.Key).ToList() is { Count: > 0 } repeated)
        {
            errors.Add(new FieldError("thresholds", "duplicate", $"thresholds lists {string.Join(", ", repeated.Select(t => t.ToString(CultureInfo.InvariantCulture)))} more than once."));
        }

        if (Enumerable.Range(1, Math.Max(0, thresholds.Count - 1)).Any(i => thresholds[i] < thresholds[i - 1]))
        {
            errors.Add(new FieldError("thresholds", "order", $"thresholds must be in ascending order ({string.Join(", ", thresholds.Order().Distinct().Select(t => t.ToString(CultureInfo.InvariantCulture)))})."));
        }
    }

    internal static void ValidateChannels(IReadOnlyList<string> channels, List<FieldError> errors)
    {
        if (channels.Count > MaxChannels)
        {
            errors.Add(new FieldError("channels", "length", $"A budget names at most {MaxChannels} channels."));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < channels.Count; i++)
        {
            if (!IsChannelId(channels[i]))
            {
                errors.Add(new FieldError($"channels[{i}]", "format", "A channel id is 1-64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit."));
            }
            else if (!seen.Add(channels[i]))
            {
                errors.Add(new FieldError($"channels[{i}]", "duplicate", $"Channel '{channels[i]}' is listed more than once."));
            }
        }
    }

    private static bool TryKind(string text, out BudgetPeriodKind kind)
    {
        kind = text switch
        {
            "day" => BudgetPeriodKind.Day,
            "week" => BudgetPeriodKind.Week,
            "month" => BudgetPeriodKind.Month,
            "quarter" => BudgetPeriodKind.Quarter,
            "fixed" => BudgetPeriodKind.Fixed,
            _ => (BudgetPeriodKind)(-1),
        };
        return Enum.IsDefined(kind);
    }

    /// <summary>An IANA id the system knows (a Windows id such as "W. Europe Standard Time" is not one); null for UTC.</summary>
    private static bool TryZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id is null)
        {
            return true;
        }

        if (id.Length is > 0 and <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var found) && found.HasIanaId)
        {
            zone = found;
            return true;
        }

        return false;
    }

    private static bool TryDate(string? text, string field, string meaning, List<FieldError> errors, out DateOnly date)
    {
        date = default;
        if (text is null)
        {
            errors.Add(new FieldError(field, "required", $"{field} is required for a fixed range: {meaning}, yyyy-MM-dd."));
            return false;
        }

        if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            errors.Add(new FieldError(field, "format", $"{field} must be a date, yyyy-MM-dd: {meaning}."));
            return false;
        }

        return true;
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
    private static partial Regex ChannelIdPattern();
}
