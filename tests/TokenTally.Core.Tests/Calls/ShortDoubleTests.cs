using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

/// <summary>Short numbers must read as exactly the double the general parser gives, to the last bit and sign.</summary>
public sealed class ShortDoubleTests
{
    private static readonly Gen<string> Numbers =
        from negative in Gen.Elements(false, true)
        from integer in Gen.Choose(0, 999_999_999) // with six fraction digits, fifteen in all
        from fraction in Gen.Choose(0, 999_999)
        from fractionDigits in Gen.Choose(0, 6)
        let digits = fraction.ToString("D6", CultureInfo.InvariantCulture)[..fractionDigits]
        select (negative ? "-" : string.Empty) + integer.ToString(CultureInfo.InvariantCulture) + (fractionDigits > 0 ? "." + digits : string.Empty);

    [Fact]
    public void ShortNumbersReadAsTheGeneralParserReadsThem()
    {
        var property = Prop.ForAll(Numbers.ToArbitrary(), text =>
        {
            Assert.True(ShortDouble.TryRead(Encoding.ASCII.GetBytes(text), out var value), text);
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(value));
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(10_000), property);
    }

    [Theory]
    [InlineData("0.1", 0.1)]
    [InlineData("-0", -0.0)]
    [InlineData("12345.6", 12345.6)]
    [InlineData("999999999999999", 999999999999999d)]
    [InlineData("0.00000000000001", 1e-14)]
    public void ReadsShortNumbers(string text, double expected)
    {
        Assert.True(ShortDouble.TryRead(Encoding.ASCII.GetBytes(text), out var value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value));
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("1.5E-2")]
    [InlineData("1234567890123456")]
    [InlineData("0.1234567890123456")]
    public void LeavesExponentsAndLongNumbersToTheGeneralParser(string text) =>
        Assert.False(ShortDouble.TryRead(Encoding.ASCII.GetBytes(text), out _));
}
