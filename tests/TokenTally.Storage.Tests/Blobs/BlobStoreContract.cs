using System.Text;
using TokenTally.Storage.Blobs;

namespace TokenTally.Storage.Tests.Blobs;

/// <summary>
/// What every <see cref="IBlobStore"/> adapter promises. Each backend derives from this class; each
/// test writes under its own unique prefix, so tests never see each other's blobs.
/// </summary>
public abstract class BlobStoreContract : IAsyncDisposable
{
    private readonly List<string> _prefixes = [];
    private IBlobStore? _store;

    /// <summary>The store under test. Backends that are not configured skip the test here.</summary>
    protected abstract IBlobStore CreateStore();

    protected IBlobStore CreateSut() => _store = CreateStore();

    /// <summary>Smaller than the number of blobs <see cref="ListReturnsEveryBlobWhenThereIsMoreThanOnePage"/> writes.</summary>
    protected const int SmallPageSize = 3;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A prefix no other test uses; what the test writes under it is deleted afterwards.</summary>
    protected string UniquePrefix()
    {
        var prefix = $"contract-{Guid.NewGuid():N}/";
        _prefixes.Add(prefix);
        return prefix;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is null)
        {
            return;
        }

        foreach (var container in Enum.GetValues<BlobContainer>())
        {
            foreach (var prefix in _prefixes)
            {
                foreach (var blob in await List(_store, container, prefix))
                {
                    await _store.DeleteAsync(container, blob.Name, CancellationToken.None);
                }
            }
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task PutThenGetReturnsTheSameBytes()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "tenant-a/2025-01-01T10.ndjson.gz";
        var content = Encoding.UTF8.GetBytes("{\"id\":1}\n{\"id\":2}\n");

        Assert.True(await store.PutAsync(BlobContainer.Archive, name, content, overwrite: false, Ct));

        Assert.Equal(content, await store.GetAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task PutWithOverwriteReplacesTheBlob()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "blob.json";
        await store.PutAsync(BlobContainer.Archive, name, "first"u8.ToArray(), overwrite: true, Ct);

        Assert.True(await store.PutAsync(BlobContainer.Archive, name, "second, longer"u8.ToArray(), overwrite: true, Ct));

        Assert.Equal("second, longer"u8.ToArray(), await store.GetAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task PutWithoutOverwriteKeepsTheExistingBlob()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "blob.json";
        await store.PutAsync(BlobContainer.Archive, name, "first"u8.ToArray(), overwrite: false, Ct);

        Assert.False(await store.PutAsync(BlobContainer.Archive, name, "second"u8.ToArray(), overwrite: false, Ct));

        Assert.Equal("first"u8.ToArray(), await store.GetAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task ConcurrentPutsWithoutOverwriteLetExactlyOneWriterWin()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "contended.json";
        var contents = Enumerable.Range(0, 8).Select(i => Encoding.UTF8.GetBytes($"writer {i}")).ToList();

        var results = await Task.WhenAll(contents.Select(c => Task.Run(() => store.PutAsync(BlobContainer.Archive, name, c, overwrite: false, Ct), Ct)));

        var winner = Assert.Single(contents.Where((_, i) => results[i]));
        Assert.Equal(winner, await store.GetAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task GetOfMissingBlobReturnsNull()
    {
        var store = CreateSut();

        Assert.Null(await store.GetAsync(BlobContainer.Archive, UniquePrefix() + "missing.json", Ct));
    }

    [Fact]
    public async Task DeleteRemovesTheBlob()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "blob.json";
        await store.PutAsync(BlobContainer.Archive, name, "x"u8.ToArray(), overwrite: false, Ct);

        Assert.True(await store.DeleteAsync(BlobContainer.Archive, name, Ct));

        Assert.Null(await store.GetAsync(BlobContainer.Archive, name, Ct));
        Assert.Empty(await List(store, BlobContainer.Archive, name));
    }

    [Fact]
    public async Task DeleteOfMissingBlobReturnsFalse()
    {
        var store = CreateSut();

        Assert.False(await store.DeleteAsync(BlobContainer.Archive, UniquePrefix() + "missing.json", Ct));
    }

    [Fact]
    public async Task ABlobCanBeWrittenAgainWithoutOverwriteAfterItIsDeleted()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "blob.json";
        await store.PutAsync(BlobContainer.Archive, name, "first"u8.ToArray(), overwrite: false, Ct);
        await store.DeleteAsync(BlobContainer.Archive, name, Ct);

        Assert.True(await store.PutAsync(BlobContainer.Archive, name, "second"u8.ToArray(), overwrite: false, Ct));

        Assert.Equal("second"u8.ToArray(), await store.GetAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task ListReturnsOnlyTheGivenPrefixInNameOrder()
    {
        var store = CreateSut();
        var prefix = UniquePrefix();
        string[] names = ["tenant-b/2025-01-01T00.gz", "tenant-a/2025-01-02T00.gz", "tenant-a/2025-01-01T23.gz", "tenant-a/2025-01-01T00.gz", "tenant-ab.gz"];
        foreach (var (name, i) in names.Select((n, i) => (n, i)))
        {
            await store.PutAsync(BlobContainer.Archive, prefix + name, new byte[i + 1], overwrite: false, Ct);
        }

        var listed = await List(store, BlobContainer.Archive, prefix + "tenant-a/");

        Assert.Equal(
            [
                new BlobInfo(prefix + "tenant-a/2025-01-01T00.gz", 4),
                new BlobInfo(prefix + "tenant-a/2025-01-01T23.gz", 3),
                new BlobInfo(prefix + "tenant-a/2025-01-02T00.gz", 2),
            ],
            listed);
    }

    [Fact]
    public async Task ListMatchesPrefixesThatEndInsideAFolderOrFileName()
    {
        var store = CreateSut();
        var prefix = UniquePrefix();
        string[] names = ["t/2025-01-01/a.gz", "t/2025-01-02.gz", "t/2025-01-10.gz", "t/2025-02-01.gz", "u/2025-01-01.gz"];
        foreach (var name in names)
        {
            await store.PutAsync(BlobContainer.Archive, prefix + name, "x"u8.ToArray(), overwrite: false, Ct);
        }

        var listed = await List(store, BlobContainer.Archive, prefix + "t/2025-01-0");

        Assert.Equal([prefix + "t/2025-01-01/a.gz", prefix + "t/2025-01-02.gz"], listed.Select(b => b.Name));
    }

    [Fact]
    public async Task ListReturnsEveryBlobWhenThereIsMoreThanOnePage()
    {
        var store = CreateSut();
        var prefix = UniquePrefix();
        var names = Enumerable.Range(0, (SmallPageSize * 2) + 2).Select(i => $"{prefix}{i:D2}.json").ToList();
        foreach (var name in names)
        {
            await store.PutAsync(BlobContainer.Archive, name, "{}"u8.ToArray(), overwrite: false, Ct);
        }

        var listed = await List(store, BlobContainer.Archive, prefix);

        Assert.Equal(names, listed.Select(b => b.Name));
    }

    [Fact]
    public async Task ListOfAPrefixWithNoBlobsIsEmpty()
    {
        var store = CreateSut();

        Assert.Empty(await List(store, BlobContainer.Archive, UniquePrefix()));
        Assert.Empty(await List(store, BlobContainer.DeadLetters, UniquePrefix() + "deeper/still/"));
    }

    [Fact]
    public async Task EmptyBlobRoundTrips()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "empty.json";

        Assert.True(await store.PutAsync(BlobContainer.Archive, name, ReadOnlyMemory<byte>.Empty, overwrite: false, Ct));

        Assert.Equal(Array.Empty<byte>(), await store.GetAsync(BlobContainer.Archive, name, Ct));
        Assert.Equal([new BlobInfo(name, 0)], await List(store, BlobContainer.Archive, name));
    }

    [Fact]
    public async Task FiveMegabyteBlobRoundTrips()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "large.ndjson.gz";
        var content = new byte[5 * 1024 * 1024];
        new Random(42).NextBytes(content);

        await store.PutAsync(BlobContainer.Archive, name, content, overwrite: false, Ct);

        Assert.Equal(content, await store.GetAsync(BlobContainer.Archive, name, Ct));
        Assert.Equal([new BlobInfo(name, content.Length)], await List(store, BlobContainer.Archive, name));
    }

    [Theory]
    [InlineData("with space/and more spaces.json")]
    [InlineData("ünïcödé/名前/😀.ndjson")]
    [InlineData("reserved +%&=;,@$!'()~ characters.json")]
    [InlineData("percent %20 and %2F stay literal.json")]
    public async Task NamesWithSpacesUnicodeAndReservedCharactersRoundTrip(string suffix)
    {
        var store = CreateSut();
        var name = UniquePrefix() + suffix;
        var content = Encoding.UTF8.GetBytes(suffix);

        Assert.True(await store.PutAsync(BlobContainer.Archive, name, content, overwrite: false, Ct));

        Assert.Equal(content, await store.GetAsync(BlobContainer.Archive, name, Ct));
        Assert.Equal([new BlobInfo(name, content.Length)], await List(store, BlobContainer.Archive, name));
        Assert.True(await store.DeleteAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task ContainersAreIndependent()
    {
        var store = CreateSut();
        var name = UniquePrefix() + "same-name.json";
        await store.PutAsync(BlobContainer.Archive, name, "archive"u8.ToArray(), overwrite: false, Ct);

        Assert.Null(await store.GetAsync(BlobContainer.DeadLetters, name, Ct));
        Assert.Empty(await List(store, BlobContainer.DeadLetters, name));
        Assert.False(await store.DeleteAsync(BlobContainer.DeadLetters, name, Ct));
        Assert.True(await store.PutAsync(BlobContainer.DeadLetters, name, "dead letter"u8.ToArray(), overwrite: false, Ct));

        Assert.Equal("archive"u8.ToArray(), await store.GetAsync(BlobContainer.Archive, name, Ct));
        Assert.Equal("dead letter"u8.ToArray(), await store.GetAsync(BlobContainer.DeadLetters, name, Ct));
    }

    [Theory]
    [InlineData("../outside.json")]
    [InlineData("a/../../outside.json")]
    [InlineData("a/./b.json")]
    [InlineData("/absolute.json")]
    [InlineData("a//b.json")]
    [InlineData("a\\..\\b.json")]
    [InlineData("folder/")]
    [InlineData("")]
    [InlineData("   ")]
    public async Task NamesThatEscapeTheContainerAreRejected(string name)
    {
        var store = CreateSut();

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(BlobContainer.Archive, name, "x"u8.ToArray(), overwrite: true, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.GetAsync(BlobContainer.Archive, name, Ct));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.DeleteAsync(BlobContainer.Archive, name, Ct));
    }

    [Fact]
    public async Task NamesLongerThanTheLimitAreRejected()
    {
        var store = CreateSut();
        var name = UniquePrefix() + new string('n', BlobNames.MaxLength);

        await Assert.ThrowsAnyAsync<ArgumentException>(() => store.PutAsync(BlobContainer.Archive, name, "x"u8.ToArray(), overwrite: true, Ct));
    }

    protected static async Task<List<BlobInfo>> List(IBlobStore store, BlobContainer container, string prefix)
    {
        var blobs = new List<BlobInfo>();
        await foreach (var blob in store.ListAsync(container, prefix, Ct))
        {
            blobs.Add(blob);
        }

        return blobs;
    }
}
