using System.Text.Json;
using System.Text.Json.Serialization;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>The name under which a channel's secret is kept; never the secret itself.</summary>
public sealed record SecretRef(string Name);

/// <summary>
/// The secret values a delivery needs, keyed by <see cref="SecretRef"/>. Held apart from the channels: it cannot be
/// serialized, its <see cref="ToString"/> shows no value, and only senders reveal a value, to use it.
/// </summary>
[JsonConverter(typeof(NeverSerialized))]
public sealed class ChannelSecrets
{
    private readonly Dictionary<string, string> _values;

    private ChannelSecrets(Dictionary<string, string> values) => _values = values;

    public static ChannelSecrets None { get; } = new([]);

    public int Count => _values.Count;

    /// <summary>A copy that also holds <paramref name="value"/> under <paramref name="reference"/>.</summary>
    public ChannelSecrets With(SecretRef reference, string value)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentException.ThrowIfNullOrEmpty(value);
        return new(new Dictionary<string, string>(_values, StringComparer.Ordinal) { [reference.Name] = value });
    }

    internal bool TryReveal(SecretRef? reference, out string value)
    {
        value = string.Empty;
        return reference is not null && _values.TryGetValue(reference.Name, out value!);
    }

    /// <summary>Every value, for scrubbing text that leaves a sender.</summary>
    internal IEnumerable<string> Values => _values.Values;

    public override string ToString() => $"ChannelSecrets ({Count}, values hidden)";

    private sealed class NeverSerialized : JsonConverter<ChannelSecrets>
    {
        public override ChannelSecrets Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
            => throw new JsonException("Channel secrets are never read from JSON.");

        public override void Write(Utf8JsonWriter writer, ChannelSecrets value, JsonSerializerOptions options)
            => throw new JsonException("Channel secrets are never written as JSON.");
    }
}
