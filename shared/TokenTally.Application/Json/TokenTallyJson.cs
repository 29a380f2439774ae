using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Json;

/// <summary>
/// The one way TokenTally writes JSON, in the API and in its stores: camelCase names, enums as camelCase names,
/// nulls left out. The ledger's types are source-generated (ingestion serializes every call); the rest falls back
/// to reflection with the same settings.
/// </summary>
public static class TokenTallyJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>Applies the settings to options the framework owns (the HTTP JSON options).</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.PropertyNameCaseInsensitive = true;
        options.NumberHandling = JsonNumberHandling.AllowReadingFromString;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.TypeInfoResolverChain.Insert(0, LedgerJsonContext.Default);
        if (!options.TypeInfoResolverChain.OfType<DefaultJsonTypeInfoResolver>().Any())
        {
            options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        }
    }

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Configure(options);
        options.MakeReadOnly();
        return options;
    }
}

[JsonSerializable(typeof(StoredCall))]
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
internal sealed partial class LedgerJsonContext : JsonSerializerContext;
