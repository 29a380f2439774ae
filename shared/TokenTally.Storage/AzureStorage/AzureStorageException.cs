using System.Net;

namespace TokenTally.Storage.AzureStorage;

/// <summary>
/// An Azure Storage request failed with a status the adapter does not map to a result. Carries the
/// operation, the HTTP status and the service's error code (x-ms-error-code); never a credential.
/// </summary>
public sealed class AzureStorageException : Exception
{
    public AzureStorageException()
        : this("An Azure Storage request failed.")
    {
    }

    public AzureStorageException(string message)
        : base(message)
    {
        Operation = "";
    }

    public AzureStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
        Operation = "";
    }

    public AzureStorageException(string operation, HttpStatusCode status, string? errorCode, string? requestId)
        : base(Describe(operation, status, errorCode, requestId))
    {
        Operation = operation;
        Status = status;
        ErrorCode = errorCode;
        RequestId = requestId;
    }

    /// <summary>What the adapter was doing, e.g. "Put Blob archive/t1/2025-01-01T10.ndjson.gz".</summary>
    public string Operation { get; }

    public HttpStatusCode Status { get; }

    /// <summary>The service's error code, e.g. "AuthorizationPermissionMismatch"; null when the response carried none.</summary>
    public string? ErrorCode { get; }

    /// <summary>The service's request id (x-ms-request-id), for support cases and log correlation.</summary>
    public string? RequestId { get; }

    private static string Describe(string operation, HttpStatusCode status, string? errorCode, string? requestId) =>
        $"Azure Storage {operation} failed with {(int)status} {status}"
        + (errorCode is null ? "" : $" ({errorCode})")
        + (requestId is null ? "." : $"; request id {requestId}.");
}
