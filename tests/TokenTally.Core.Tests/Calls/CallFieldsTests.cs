using System.Text;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

public sealed class CallFieldsTests
{
    public static TheoryData<string> KnownFields => new(Enum.GetNames<CallField>().Where(name => name != nameof(CallField.Unknown)));

    [Theory]
    [MemberData(nameof(KnownFields))]
    public void EveryFieldIsNamedByItsCamelCaseName(string field)
    {
        var name = char.ToLowerInvariant(field[0]) + field[1..];

        Assert.Equal(Enum.Parse<CallField>(field), CallFields.Of(Encoding.UTF8.GetBytes(name)));
    }

    [Fact]
    public void EveryFieldHasABitOfAnUnsignedLong() =>
        Assert.InRange((int)Enum.GetValues<CallField>().Max(), 0, 63);

    [Theory]
    [InlineData("")]
    [InlineData("Model")]
    [InlineData("modeL")]
    [InlineData("ids")]
    [InlineData("tag")]
    [InlineData("input_tokens")]
    [InlineData("prompt_tokens")]
    [InlineData("departmenT")]
    [InlineData("spanID")]
    [InlineData("statuses")]
    public void AnyOtherNameIsUnknown(string name) => Assert.Equal(CallField.Unknown, CallFields.Of(Encoding.UTF8.GetBytes(name)));
}
