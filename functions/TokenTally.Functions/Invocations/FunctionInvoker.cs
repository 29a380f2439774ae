using System.Diagnostics;
using TokenTally.Functions.Telemetry;

namespace TokenTally.Functions.Invocations;

public sealed record InvokeOutcome(InvocationResult Result, IReadOnlyList<string> Logs);

/// <summary>Runs a payload-mode invocation: the host's POST and the local stand-ins both come through here.</summary>
public sealed partial class FunctionInvoker(IEnumerable<IFunctionHandler> handlers, TokenTallyTelemetry telemetry, ILogger<FunctionInvoker> logger)
{
    private readonly Dictionary<string, IFunctionHandler> _handlers = handlers.ToDictionary(h => h.FunctionName, StringComparer.OrdinalIgnoreCase);

    /// <summary>Invokes the handler of a payload-mode function (the start-up check guarantees there is one).</summary>
    public async Task<InvokeOutcome> InvokeAsync(FunctionDescriptor function, InvocationRequest request, string invocationId, CancellationToken cancellationToken)
    {
        if (function.IsHttp || !_handlers.TryGetValue(function.Name, out var handler))
        {
            throw new InvalidOperationException($"Function '{function.Name}' has no invocation handler.");
        }

        using var activity = telemetry.Source.StartActivity($"invoke {function.Name}", ActivityKind.Server);
        activity?.SetTag("faas.name", function.Name);
        activity?.SetTag("faas.trigger", function.Trigger.Type);
        activity?.SetTag("faas.invocation_id", invocationId);
        var context = new InvocationContext(function, invocationId);
        var started = Stopwatch.GetTimestamp();
        InvocationResult result;
        try
        {
            result = await handler.InvokeAsync(request, context, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogInvocationCrashed(logger, e, function.Name, invocationId);
            result = new InvocationResult.Failed($"{e.GetType().Name}: {e.Message}");
        }

        var outcome = result switch
        {
            InvocationResult.Completed => "succeeded",
            InvocationResult.Invalid => "invalid",
            _ => "failed",
        };
        activity?.SetTag("tokentally.outcome", outcome);
        if (result is InvocationResult.Failed failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failed.Reason);
            LogInvocationFailed(logger, function.Name, invocationId, failed.Reason);
        }

        telemetry.RecordInvocation(function.Name, outcome, Stopwatch.GetElapsedTime(started));
        return new InvokeOutcome(result, context.Logs);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName} invocation {InvocationId} threw")]
    private static partial void LogInvocationCrashed(ILogger logger, Exception exception, string functionName, string invocationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Function {FunctionName} invocation {InvocationId} failed: {Reason}")]
    private static partial void LogInvocationFailed(ILogger logger, string functionName, string invocationId, string reason);
}
