namespace TokenTally.Functions.Invocations;

/// <summary>Field errors keyed by their path in the payload (<c>Data.timer.IsPastDue</c>).</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public Parsed<T> ToParsed<T>() => Parsed<T>.Invalid(this);
}

/// <summary>A value read from a payload, or the errors that stopped it.</summary>
public sealed class Parsed<T>
{
    private readonly T? _value;

    private Parsed(T? value, FieldErrors? errors)
    {
        _value = value;
        Errors = errors;
    }

    public FieldErrors? Errors { get; }

    public bool IsValid => Errors is null;

    public T Value => IsValid ? _value! : throw new InvalidOperationException("The payload was invalid; read Errors.");

    public static Parsed<T> Ok(T value) => new(value, null);

    public static Parsed<T> Invalid(FieldErrors errors) => new(default, errors);
}
