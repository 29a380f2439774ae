namespace TokenTally.Core.Pricing;

/// <summary>A price catalog could not be read: malformed JSON, a missing or invalid field, or a broken invariant.</summary>
public sealed class PriceCatalogFormatException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public PriceCatalogFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong, including where.</param>
    public PriceCatalogFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What is wrong, including where.</param>
    /// <param name="innerException">The underlying error.</param>
    public PriceCatalogFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for one model.</summary>
    /// <param name="model">The model's key (<c>provider/id</c>) or, when it has no id, its position.</param>
    /// <param name="message">What is wrong; the model is prepended.</param>
    internal PriceCatalogFormatException(string? model, string message)
        : base(model is null ? $"Invalid price catalog: {message}" : $"Invalid price catalog: model '{model}': {message}")
    {
        Model = model;
    }

    /// <summary>The model the error is about (<c>provider/id</c>), or <see langword="null"/> when it concerns the catalog as a whole.</summary>
    public string? Model { get; }
}
