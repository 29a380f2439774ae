using System.Runtime.CompilerServices;
using TokenTally.Storage.Blobs;

namespace TokenTally.Storage.FileSystem;

/// <summary>
/// <see cref="IBlobStore"/> over a directory, for local mode: blob <c>a/b.json</c> in the archive
/// container is the file <c>&lt;root&gt;/archive/a/b.json</c>. Writes go to a temporary file first
/// and are moved into place, so readers never see half a blob. Limitation: a name cannot be both a
/// blob and a folder of other blobs (<c>a</c> and <c>a/b</c>), which Azure allows.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    // Temporary files live beside the containers (same volume, so moves are renames) but outside them.
    private const string TemporaryFolder = ".tmp";

    private readonly string _root;

    // File.Move without overwrite checks for the target and then renames, two steps on Linux, so two writers could both
    // win. Local mode runs one server per data directory, so taking turns in the process makes create-if-absent exact.
    private readonly Lock _createTurn = new();

    public FileSystemBlobStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
    }

    public async Task<bool> PutAsync(BlobContainer container, string name, ReadOnlyMemory<byte> content, bool overwrite, CancellationToken cancellationToken)
    {
        var path = PathOf(container, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = TemporaryPath();
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.Asynchronous))
            {
                await stream.WriteAsync(content, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            if (overwrite)
            {
                File.Move(temporary, path, overwrite: true);
                return true;
            }

            lock (_createTurn)
            {
                if (File.Exists(path))
                {
                    return false;
                }

                File.Move(temporary, path, overwrite: false);
                return true;
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public async Task<byte[]?> GetAsync(BlobContainer container, string name, CancellationToken cancellationToken)
    {
        var path = PathOf(container, name);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async IAsyncEnumerable<BlobInfo> ListAsync(BlobContainer container, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var containerPath = ContainerPath(container);

        // Enumerating files is synchronous: leave the caller's thread before doing it.
        await Task.Yield();

        // Start from the deepest folder the prefix names in full, then filter by the whole prefix.
        var folder = prefix.LastIndexOf('/') is var slash and >= 0 ? prefix[..slash] : "";
        var start = Path.GetFullPath(Path.Combine(containerPath, folder));
        if (!IsInside(start, containerPath) || !Directory.Exists(start))
        {
            yield break;
        }

        var blobs = new List<BlobInfo>();
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetRelativePath(containerPath, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal))
            {
                blobs.Add(new BlobInfo(name, file.Length));
            }
        }

        blobs.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var blob in blobs)
        {
            yield return blob;
        }
    }

    public Task<bool> DeleteAsync(BlobContainer container, string name, CancellationToken cancellationToken)
    {
        var path = PathOf(container, name);
        cancellationToken.ThrowIfCancellationRequested();

        // Moving the file away first makes delete atomic: of two concurrent deletes, one returns true.
        var temporary = TemporaryPath();
        try
        {
            File.Move(path, temporary);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult(false);
        }

        File.Delete(temporary);
        return Task.FromResult(true);
    }

    private string ContainerPath(BlobContainer container) => Path.Combine(_root, BlobContainerNames.Of(container));

    private string PathOf(BlobContainer container, string name)
    {
        BlobNames.Validate(name);
        var containerPath = ContainerPath(container);
        var path = Path.GetFullPath(Path.Combine(containerPath, name.Replace('/', Path.DirectorySeparatorChar)));
        return IsInside(path, containerPath)
            ? path
            : throw new ArgumentException($"Blob name '{name}' resolves outside its container.", nameof(name));
    }

    private string TemporaryPath()
    {
        var folder = Path.Combine(_root, TemporaryFolder);
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, Guid.NewGuid().ToString("N"));
    }

    private static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
