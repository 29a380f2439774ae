using System.Text.Json.Nodes;

namespace TokenTally.Storage.Documents;

/// <summary>
/// Applies patch operations to a document's data in memory, with Cosmos DB's rules: <c>set</c>
/// creates or replaces a property whose parent exists, <c>incr</c> creates a missing number,
/// <c>remove</c> needs the property to exist. Used by adapters without a native patch.
/// </summary>
public static class JsonPatchApplier
{
    public static void Validate(IReadOnlyList<PatchOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count is 0 or > PatchOperation.MaxOperationsPerPatch)
        {
            throw new ArgumentException($"A patch needs 1 to {PatchOperation.MaxOperationsPerPatch} operations, not {operations.Count}.", nameof(operations));
        }

        foreach (var operation in operations)
        {
            if (!operation.Path.StartsWith('/') || operation.Path.Length < 2 || operation.Path.EndsWith('/'))
            {
                throw new ArgumentException($"Patch path '{operation.Path}' is not a JSON pointer such as '/status'.", nameof(operations));
            }
        }
    }

    /// <summary>Returns a patched copy; throws <see cref="ArgumentException"/> when a path cannot be applied.</summary>
    public static JsonObject Apply(JsonObject data, IReadOnlyList<PatchOperation> operations)
    {
        Validate(operations);
        var copy = (JsonObject)data.DeepClone();
        foreach (var operation in operations)
        {
            var (parent, key) = Resolve(copy, operation.Path);
            switch (operation)
            {
                case PatchOperation.SetOperation set:
                    Assign(parent, key, set.Value?.DeepClone(), operation.Path);
                    break;
                case PatchOperation.IncrementOperation increment:
                    var current = Read(parent, key);
                    var value = current is null ? 0 : current is JsonValue number && number.TryGetValue<long>(out var n)
                        ? n
                        : throw new ArgumentException($"Patch path '{operation.Path}' does not hold an integer.");
                    Assign(parent, key, JsonValue.Create(checked(value + increment.By)), operation.Path);
                    break;
                case PatchOperation.RemoveOperation:
                    if (!RemoveAt(parent, key))
                    {
                        throw new ArgumentException($"Patch path '{operation.Path}' does not exist.");
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown patch operation {operation.GetType().Name}.");
            }
        }

        return copy;
    }

    private static (JsonNode Parent, string Key) Resolve(JsonObject root, string path)
    {
        var segments = path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        JsonNode node = root;
        foreach (var segment in segments[..^1])
        {
            node = Read(node, segment) ?? throw new ArgumentException($"Patch path '{path}' has no parent '{segment}'.");
        }

        return (node, segments[^1]);
    }

    private static JsonNode? Read(JsonNode parent, string key) => parent switch
    {
        JsonObject obj => obj[key],
        JsonArray array when int.TryParse(key, out var i) && i >= 0 && i < array.Count => array[i],
        _ => null,
    };

    private static void Assign(JsonNode parent, string key, JsonNode? value, string path)
    {
        switch (parent)
        {
            case JsonObject obj:
                obj[key] = value;
                break;
            case JsonArray array when int.TryParse(key, out var i) && i >= 0 && i < array.Count:
                array[i] = value;
                break;
            case JsonArray array when key == "-" || (int.TryParse(key, out var end) && end == array.Count):
                array.Add(value);
                break;
            default:
                throw new ArgumentException($"Patch path '{path}' cannot be assigned.");
        }
    }

    private static bool RemoveAt(JsonNode parent, string key) => parent switch
    {
        JsonObject obj => obj.Remove(key),
        JsonArray array when int.TryParse(key, out var i) && i >= 0 && i < array.Count => RemoveFromArray(array, i),
        _ => false,
    };

    private static bool RemoveFromArray(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }
}
