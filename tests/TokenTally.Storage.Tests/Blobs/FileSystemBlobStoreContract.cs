using TokenTally.Storage.Blobs;
using TokenTally.Storage.FileSystem;

namespace TokenTally.Storage.Tests.Blobs;

public sealed class FileSystemBlobStoreContract : BlobStoreContract
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("tokentally-blobs-");

    protected override IBlobStore CreateStore() => new FileSystemBlobStore(_root.FullName);

    [Fact]
    public async Task BlobsAreFilesUnderTheirContainerFolder()
    {
        var store = CreateSut();

        await store.PutAsync(BlobContainer.DeadLetters, "tenant-a/bad.json", "{}"u8.ToArray(), overwrite: false, Ct);

        Assert.Equal("{}", await File.ReadAllTextAsync(Path.Combine(_root.FullName, "dead-letters", "tenant-a", "bad.json"), Ct));
    }

    [Fact]
    public async Task WritesLeaveNoTemporaryFilesBehind()
    {
        var store = CreateSut();
        await store.PutAsync(BlobContainer.Archive, "a.json", "1"u8.ToArray(), overwrite: false, Ct);
        await store.PutAsync(BlobContainer.Archive, "a.json", "2"u8.ToArray(), overwrite: false, Ct);
        await store.PutAsync(BlobContainer.Archive, "a.json", "3"u8.ToArray(), overwrite: true, Ct);
        await store.DeleteAsync(BlobContainer.Archive, "a.json", Ct);

        Assert.Empty(_root.EnumerateFiles("*", SearchOption.AllDirectories));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _root.Delete(recursive: true);
    }
}
