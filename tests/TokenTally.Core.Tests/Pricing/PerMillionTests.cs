using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Pricing;

namespace TokenTally.Core.Tests.Pricing;

/// <summary>The per-million cost must be the decimal division's answer to the last digit and the last place of scale.</summary>
public sealed class PerMillionTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(5_000);

    private static readonly Gen<decimal> Prices =
        from units in Gen.OneOf(Gen.Choose(0, 2_000_000).Select(n => (long)n), Gen.Choose(0, int.MaxValue).Select(n => n * 3_000L))
        from scale in Gen.Choose(0, 12)
        select new decimal((int)units, (int)(units >> 32), 0, isNegative: false, (byte)scale);

    private static readonly Gen<long> TokenCounts = Gen.OneOf(
        Gen.Choose(0, 1_000).Select(n => (long)n),
        Gen.Choose(0, 10_000_000).Select(n => (long)n),
        Gen.Choose(1, 10_000).Select(n => n * 1_000_000L));

    [Fact]
    public void CostIsTheDivisionsResultWithTheSameScale()
    {
        var property = Prop.ForAll(TokenCounts.ToArbitrary(), Prices.ToArbitrary(), (tokens, price) =>
            AssertSameDecimal(tokens * price / 1_000_000m, PerMillion.Cost(tokens, price)));

        Check.One(Runs, property);
    }

    [Theory]
    [InlineData(0, "2.50", "0.00")]
    [InlineData(1_000, "2.50", "0.0025")]
    [InlineData(1_000_000, "2.50", "2.50")]
    [InlineData(3, "0.15", "0.00000045")]
    [InlineData(1_000, "12345678901234567890.12", "12345678901234567.89012")] // beyond 64 bits: the division itself
    public void CostMatchesHandComputedValues(long tokens, string price, string expected) =>
        AssertSameDecimal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), PerMillion.Cost(tokens, decimal.Parse(price, System.Globalization.CultureInfo.InvariantCulture)));

    private static void AssertSameDecimal(decimal expected, decimal actual) =>
        Assert.Equal(decimal.GetBits(expected), decimal.GetBits(actual));
}
