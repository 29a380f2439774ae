using System.Net.Sockets;
using System.Reflection;
using Microsoft.Extensions.Options;
using TokenTally.Storage.Sqlite;

namespace TokenTally.Application.Hosting;

/// <summary>Tells start-up failures a user can fix (a setting, a busy port) from bugs, and says what to fix in one line.</summary>
public static class StartupErrors
{
    public static bool TryDescribe(Exception exception, out string problem)
    {
        var error = Unwrap(exception);

        // Validation at start-up reports every invalid options class at once.
        if (error is AggregateException { InnerExceptions.Count: > 1 } several)
        {
            var parts = several.InnerExceptions.Select(e => TryDescribe(e, out var part) ? part : null).ToList();
            problem = parts.All(p => p is not null) ? string.Join(" ", parts) : string.Empty;
            return problem.Length > 0;
        }

        problem = error switch
        {
            OptionsValidationException invalid => string.Join(" ", invalid.Failures),
            InvalidOperationException binding when binding.Message.Contains("configuration value", StringComparison.OrdinalIgnoreCase)
                => binding.Message + (binding.InnerException is { } inner ? " " + inner.Message : string.Empty),
            StoreLayoutException layout => layout.Message,
            DirectoryNotFoundException or UnauthorizedAccessException => error.Message,
            IOException busy when IsAddressInUse(busy.InnerException)
                => busy.Message + " Another process uses the port; choose one with --TokenTally:Local:Port=<port>.",
            _ => string.Empty,
        };
        return problem.Length > 0;
    }

    /// <summary>Kestrel wraps the socket's error in its own AddressInUseException.</summary>
    private static bool IsAddressInUse(Exception? error) => error switch
    {
        null => false,
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => true,
        _ => IsAddressInUse(error.InnerException),
    };

    private static Exception Unwrap(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: 1 } aggregate => Unwrap(aggregate.InnerExceptions[0]),
        TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => exception,
    };
}
