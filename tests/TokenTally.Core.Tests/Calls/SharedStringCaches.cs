namespace TokenTally.Core.Tests.Calls;

/// <summary>
/// The parser's string caches are shared by every thread: a test that fills them with many values (the fuzz test) would
/// evict the value another test expects to stay cached, so such tests take turns.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedStringCaches
{
    public const string Name = "The parser's shared string caches";
}
