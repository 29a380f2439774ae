using System.Text;
using System.Text.Json;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

public sealed class CallTagsTests
{
    private static readonly CallEventContext Context = new("acme", "chat-app", new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(30));

    private static (CallEvent? Event, List<FieldError> Errors) Parse(string tagsJson)
    {
        var json = $$"""{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","tags":{{tagsJson}}}""";
        var errors = new List<FieldError>();
        var parsed = CallEventParser.Parse(Encoding.UTF8.GetBytes(json), Context, errors, () => "assigned-1", out _);
        return (parsed, errors);
    }

    private static IReadOnlyDictionary<string, string> TagsOf(string tagsJson)
    {
        var (parsed, errors) = Parse(tagsJson);
        Assert.Empty(errors);
        return parsed!.Tags;
    }

    [Fact]
    public void TagsKeepTheOrderSent()
    {
        var tags = TagsOf("""{"team":"core","feature":"chat","customer":"c-1"}""");

        Assert.Equal([new("team", "core"), new("feature", "chat"), new("customer", "c-1")], tags.ToArray());
        Assert.Equal("chat", tags["feature"]);
        Assert.False(tags.TryGetValue("region", out _));
        Assert.Throws<KeyNotFoundException>(() => tags["region"]);
    }

    [Theory]
    [InlineData("""{"team":"core","feature":"chat","team":"search"}""")]
    [InlineData("""{"team":"core","t\u0065am":"core"}""")]
    public void ATagKeySentTwiceIsRejected(string tagsJson)
    {
        var (parsed, errors) = Parse(tagsJson);

        Assert.Null(parsed);
        Assert.Equal(new FieldError("tags.team", "duplicate", "tag 'team' appears twice in this record; send it once."), Assert.Single(errors));
    }

    [Theory]
    [InlineData("null", "tags")]
    [InlineData("""{"team":null}""", "tags.team")]
    public void NullTagsOrANullTagValueAreRejected(string tagsJson, string field)
    {
        var (parsed, errors) = Parse(tagsJson);

        Assert.Null(parsed);
        Assert.Equal((field, "type"), (Assert.Single(errors).Field, Assert.Single(errors).Code));
    }

    [Fact]
    public void TagsSerializeAsAnObjectOfStringsAndReadBackAsADictionary()
    {
        var tags = TagsOf("""{"team":"core","feature":"chat"}""");

        var json = JsonSerializer.Serialize(tags);
        var readBack = JsonSerializer.Deserialize<IReadOnlyDictionary<string, string>>(json);

        Assert.Equal("""{"team":"core","feature":"chat"}""", json);
        Assert.Equal(tags.ToArray(), readBack!.ToArray());
    }

    [Fact]
    public void ARecordWithoutTagsHasNone() =>
        Assert.Empty(TagsOf("{}"));
}
