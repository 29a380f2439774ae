namespace TokenTally.Storage.Blobs;

/// <summary>Blob names are '/'-separated relative paths; both adapters accept exactly the same set.</summary>
public static class BlobNames
{
    public const int MaxLength = 1024;

    /// <summary>Throws <see cref="ArgumentException"/> for a name that could escape its container or that Azure would reject.</summary>
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > MaxLength)
        {
            throw new ArgumentException($"Blob name is longer than {MaxLength} characters.", nameof(name));
        }

        if (name.StartsWith('/') || name.EndsWith('/') || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Blob name '{name}' must be a relative '/'-separated path.", nameof(name));
        }

        foreach (var segment in name.Split('/'))
        {
            if (segment.Length == 0 || segment is "." or "..")
            {
                throw new ArgumentException($"Blob name '{name}' has an empty, '.' or '..' segment.", nameof(name));
            }
        }
    }
}
