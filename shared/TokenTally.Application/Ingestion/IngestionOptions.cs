namespace TokenTally.Application.Ingestion;

/// <summary>TokenTally:Ingestion — intake limits.</summary>
public sealed class IngestionOptions
{
    public const string Section = "TokenTally:Ingestion";

    /// <summary>Largest request body, after decompression.</summary>
    public int MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Most records in one batch.</summary>
    public int MaxEventsPerBatch { get; set; } = 5_000;

    /// <summary>Steady request rate allowed per API key.</summary>
    public int RequestsPerSecondPerKey { get; set; } = 200;

    /// <summary>Requests a key may send in a burst above the steady rate.</summary>
    public int BurstPerKey { get; set; } = 400;
}
