using TokenTally.Core.Budgets;
using TokenTally.Core.Calls;
using TokenTally.Core.Rollups;

namespace TokenTally.Core.Tests.Budgets;

/// <summary>A budget draft is checked whole: every error names its field and a stable code; a valid draft gets its defaults.</summary>
public sealed class BudgetValidatorTests
{
    /// <summary>A valid draft: 1,000 USD a month for one project, in Berlin.</summary>
    private static BudgetDraft Draft() => new(
        Name: "support-bot monthly",
        Scope: new Dictionary<string, IReadOnlyList<string>?> { ["project"] = ["support-bot"] },
        Period: new PeriodDraft("month", "Europe/Berlin"),
        AmountUsd: 1000m,
        Thresholds: null,
        AlertOnForecast: null,
        Channels: null);

    private static FieldError SingleError(BudgetDraft draft)
    {
        var validation = BudgetValidator.Validate(draft);
        Assert.False(validation.IsValid);
        return Assert.Single(validation.Errors);
    }

    [Fact]
    public void AValidDraftGetsThresholdsOf50And80And100PercentNoForecastAndNoChannels()
    {
        var budget = BudgetValidator.Validate(Draft()).Budget!;

        Assert.Equal([50m, 80m, 100m], budget.Thresholds);
        Assert.False(budget.AlertOnForecast);
        Assert.Empty(budget.Channels);
        Assert.Equal(["support-bot"], budget.Scope.Filters[Dimension.Project]);
        Assert.Equal(BudgetPeriodKind.Month, budget.Period.Kind);
        Assert.Equal("Europe/Berlin", budget.Period.Zone.Id);
    }

    [Fact]
    public void NoScopeIsTheWholeTenantAndNoTimeZoneIsUtc()
    {
        var budget = BudgetValidator.Validate(Draft() with { Scope = null, Period = new PeriodDraft("day", null) }).Budget!;

        Assert.True(budget.Scope.IsTenant);
        Assert.Equal(Cube.Total, budget.Scope.Cube);
        Assert.Equal(TimeZoneInfo.Utc, budget.Period.Zone);
    }

    [Fact]
    public void AScopeMayFilterOnEveryDimensionTheCostsApiNamesThatARollupHolds()
    {
        var usage = BudgetValidator.Validate(Draft() with
        {
            Scope = new Dictionary<string, IReadOnlyList<string>?>
            {
                ["project"] = ["a"], ["service"] = ["b"], ["environment"] = ["prod"], ["provider"] = ["openai"], ["model"] = ["gpt-4o", "gpt-4o-mini"], ["department"] = ["support"],
            },
        }).Budget!;
        var users = BudgetValidator.Validate(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { ["user"] = ["u-7"], ["department"] = ["support"] } }).Budget!;

        Assert.Equal(Cube.Usage, usage.Scope.Cube);
        Assert.Equal(Cube.Users, users.Scope.Cube);
    }

    [Fact]
    public void AnUnknownDimensionIsNamedWithTheDimensionsThereAre()
    {
        var error = SingleError(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { ["team"] = ["x"] } });

        Assert.Equal(("scope.team", "unknown"), (error.Field, error.Code));
        Assert.Contains("project, service, environment, provider, model, department, user", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("release")]
    [InlineData("Project")]
    public void ADimensionTheBudgetCannotFilterOnOrSpeltOtherwiseIsUnknown(string dimension)
    {
        var error = SingleError(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { [dimension] = ["x"] } });

        Assert.Equal(($"scope.{dimension}", "unknown"), (error.Field, error.Code));
    }

    [Fact]
    public void AFilterWithoutValuesIsEmptyAndOneWithARepeatedValueIsDuplicate()
    {
        var empty = SingleError(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { ["model"] = [] } });
        var repeated = SingleError(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { ["model"] = ["gpt-4o", "gpt-4o"] } });
        var blank = SingleError(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { ["model"] = [" "] } });

        Assert.Equal(("scope.model", "empty"), (empty.Field, empty.Code));
        Assert.Equal(("scope.model", "duplicate"), (repeated.Field, repeated.Code));
        Assert.Equal(("scope.model", "length"), (blank.Field, blank.Code));
    }

    [Fact]
    public void DimensionsNoRollupHoldsTogetherAreACombinationError()
    {
        var error = SingleError(Draft() with { Scope = new Dictionary<string, IReadOnlyList<string>?> { ["user"] = ["u-7"], ["model"] = ["gpt-4o"] } });

        Assert.Equal(("scope", "combination"), (error.Field, error.Code));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void AnAmountMustBeMoreThanZero(int amount)
    {
        var error = SingleError(Draft() with { AmountUsd = amount });

        Assert.Equal(("amountUsd", "range"), (error.Field, error.Code));
    }

    [Fact]
    public void UnsortedThresholdsAreAnOrderError()
    {
        var error = SingleError(Draft() with { Thresholds = [80m, 50m, 100m] });

        Assert.Equal(("thresholds", "order"), (error.Field, error.Code));
        Assert.Contains("50, 80, 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARepeatedThresholdIsADuplicateError()
    {
        var error = SingleError(Draft() with { Thresholds = [50m, 80m, 80m] });

        Assert.Equal(("thresholds", "duplicate"), (error.Field, error.Code));
        Assert.Contains("80", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-10)]
    [InlineData(1001)]
    public void AThresholdOutsideZeroToAThousandPercentIsARangeErrorOfThatThreshold(int threshold)
    {
        var error = SingleError(Draft() with { Thresholds = [threshold] });

        Assert.Equal(("thresholds[0]", "range"), (error.Field, error.Code));
    }

    [Fact]
    public void ThresholdsAboveAHundredPercentAndNoneAtAllAreAllowed()
    {
        Assert.Equal([90m, 120m], BudgetValidator.Validate(Draft() with { Thresholds = [90m, 120m] }).Budget!.Thresholds);
        Assert.Empty(BudgetValidator.Validate(Draft() with { Thresholds = [] }).Budget!.Thresholds);
    }

    [Theory]
    [InlineData("Mars/Olympus_Mons")]
    [InlineData("W. Europe Standard Time")] // a Windows id, not an IANA one
    [InlineData("")]
    public void AZoneThatIsNotAnIanaZoneIsUnknown(string zone)
    {
        var error = SingleError(Draft() with { Period = new PeriodDraft("month", zone) });

        Assert.Equal(("period.timeZone", "unknown"), (error.Field, error.Code));
    }

    [Fact]
    public void APeriodKindIsRequiredAndOneOfTheFive()
    {
        Assert.Equal(("period", "required"), Pair(SingleError(Draft() with { Period = null })));
        Assert.Equal(("period.kind", "required"), Pair(SingleError(Draft() with { Period = new PeriodDraft(null, "UTC") })));
        Assert.Equal(("period.kind", "enum"), Pair(SingleError(Draft() with { Period = new PeriodDraft("fortnight", "UTC") })));
        Assert.Equal(("period.kind", "enum"), Pair(SingleError(Draft() with { Period = new PeriodDraft("day,week", "UTC") })));
    }

    [Fact]
    public void AFixedRangeNeedsFromBeforeToAsDates()
    {
        var valid = BudgetValidator.Validate(Draft() with { Period = new PeriodDraft("fixed", "UTC", "2026-12-01", "2027-01-01") }).Budget!;

        Assert.Equal((new DateOnly(2026, 12, 1), new DateOnly(2027, 1, 1)), (valid.Period.From, valid.Period.To));
        Assert.Equal(("period.from", "required"), Pair(SingleError(Draft() with { Period = new PeriodDraft("fixed", "UTC", null, "2027-01-01") })));
        Assert.Equal(("period.to", "format"), Pair(SingleError(Draft() with { Period = new PeriodDraft("fixed", "UTC", "2026-12-01", "31/12/2026") })));
        Assert.Equal(("period.to", "range"), Pair(SingleError(Draft() with { Period = new PeriodDraft("fixed", "UTC", "2026-12-01", "2026-12-01") })));
    }

    [Fact]
    public void ARecurringPeriodTakesNoRange()
    {
        var error = SingleError(Draft() with { Period = new PeriodDraft("month", "UTC", "2026-12-01") });

        Assert.Equal(("period.from", "unexpected"), Pair(error));
    }

    [Fact]
    public void ChannelIdsMustBeWellFormedAndListedOnce()
    {
        var errors = BudgetValidator.Validate(Draft() with { Channels = ["ops-teams", "bad id", "ops-teams"] }).Errors;

        Assert.Equal([("channels[1]", "format"), ("channels[2]", "duplicate")], errors.Select(Pair));
    }

    [Fact]
    public void ANameIsRequired()
    {
        Assert.Equal(("name", "required"), Pair(SingleError(Draft() with { Name = "  " })));
        Assert.Equal(("name", "length"), Pair(SingleError(Draft() with { Name = new string('n', 101) })));
    }

    [Fact]
    public void EveryErrorOfADraftIsReportedNotOnlyTheFirst()
    {
        var errors = BudgetValidator.Validate(new BudgetDraft(null, new Dictionary<string, IReadOnlyList<string>?> { ["team"] = ["x"] }, new PeriodDraft("month", "Nowhere/Else"), -5m, [100m, 50m], true, ["a b"])).Errors;

        Assert.Equal(
            ["name", "scope.team", "period.timeZone", "amountUsd", "thresholds", "channels[0]"],
            errors.Select(e => e.Field));
    }

    private static (string, string) Pair(FieldError error) => (error.Field, error.Code);
}
