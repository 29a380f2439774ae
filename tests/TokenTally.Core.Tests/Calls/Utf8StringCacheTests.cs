using System.Text;
using FsCheck;
using FsCheck.Fluent;
using TokenTally.Core.Calls;

namespace TokenTally.Core.Tests.Calls;

[Collection(SharedStringCaches.Name)]
public sealed class Utf8StringCacheTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300);

    // Short byte strings over a small alphabet, so keys repeat, share prefixes and collide in a small cache.
    private static readonly Gen<byte[]> Keys =
        from length in Gen.Choose(0, 12)
        from bytes in Gen.ArrayOf(Gen.Elements<byte>((byte)'a', (byte)'b', (byte)'-', (byte)'4', 0xC3, 0xA9), length)
        select bytes;

    private static string Decode(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    [Fact]
    public void AHitIsAlwaysTheStringOfExactlyTheBytesLookedUp()
    {
        var property = Prop.ForAll(Gen.Choose(1, 8).ToArbitrary(), Gen.ArrayOf(Keys).ToArbitrary(), (capacity, keys) =>
        {
            var cache = new Utf8StringCache(capacity);
            foreach (var key in keys)
            {
                if (cache.TryGet(key, out var hit) && hit != Decode(key))
                {
                    return false;
                }

                cache.Add(key, Decode(key));
            }

            return keys.All(key => !cache.TryGet(key, out var value) || value == Decode(key));
        });

        property.Check(Runs);
    }

    [Fact]
    public void AnAsciiValueJustAddedIsFoundAndAnyOtherIsNotKept()
    {
        var property = Prop.ForAll(Keys.ToArbitrary(), key =>
        {
            var cache = new Utf8StringCache(4);
            cache.Add(key, Decode(key));
            var found = cache.TryGet(key, out var value);
            return System.Text.Ascii.IsValid(key) ? found && value == Decode(key) : !found && cache.Count == 0;
        });

        property.Check(Runs);
    }

    [Fact]
    public void AStringThatIsNotTheBytesIsNeverKept()
    {
        var property = Prop.ForAll(Keys.ToArbitrary(), Keys.ToArbitrary(), (key, other) =>
        {
            var cache = new Utf8StringCache(4);
            cache.Add(key, Decode(other));
            return !cache.TryGet(key, out var value) || value == Decode(key);
        });

        property.Check(Runs);
    }

    [Fact]
    public void ItNeverHoldsMoreThanItsCapacity()
    {
        var cache = new Utf8StringCache(capacity: 16);

        for (var i = 0; i < 10_000; i++)
        {
            var key = Encoding.UTF8.GetBytes($"value-{i}");
            cache.Add(key, Decode(key));
        }

        Assert.Equal(16, cache.Capacity);
        Assert.InRange(cache.Count, 1, 16);
    }

    [Fact]
    public void ValuesLongerThanTheLimitAreNotKept()
    {
        var cache = new Utf8StringCache(capacity: 8, maxValueBytes: 4);
        var longKey = "abcde"u8.ToArray();

        cache.Add(longKey, "abcde");

        Assert.False(cache.TryGet(longKey, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void ManyThreadsAddingAndReadingAtOnceNeverSeeAWrongString()
    {
        var cache = new Utf8StringCache(capacity: 8);
        var keys = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes($"model-{i % 37}-{i}")).ToArray();
        var wrong = 0;
        var hits = 0;

        Parallel.For(0, Environment.ProcessorCount * 4, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount * 4 }, worker =>
        {
            var random = new Random(worker);
            for (var i = 0; i < 50_000; i++)
            {
                var key = keys[random.Next(keys.Length)];
                if (cache.TryGet(key, out var value))
                {
                    Interlocked.Increment(ref hits);
                    if (value != Decode(key))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
                else
                {
                    cache.Add(key, Decode(key));
                }
            }
        });

        Assert.Equal(0, wrong);
        Assert.True(hits > 0);
        Assert.InRange(cache.Count, 1, 8);
    }

    [Fact]
    public void RepeatedValuesInParsedRecordsAreTheSameStringInstance()
    {
        var context = new CallEventContext("acme", "chat-app", new DateTimeOffset(2026, 11, 20, 12, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(30));
        const string Body = """
            [{"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","tags":{"team":"core"}},
             {"timestamp":"2026-11-20T11:59:00Z","provider":"openai","model":"gpt-4o","tags":{"team":"core"}}]
            """;

        var records = CallBatchReader.Read(Encoding.UTF8.GetBytes(Body), BatchFormat.Json, context, () => Guid.NewGuid().ToString("N")).Records;

        var (first, second) = (records[0].Event!, records[1].Event!);
        Assert.Same(first.Model, second.Model);
        Assert.Same(first.Tags.Keys.Single(), second.Tags.Keys.Single());
        Assert.Equal("gpt-4o", second.Model);
    }
}
