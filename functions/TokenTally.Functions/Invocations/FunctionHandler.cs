using System.Text.Json.Nodes;

namespace TokenTally.Functions.Invocations;

/// <summary>The outcome of one invocation, mapped to the host's contract by the invocation endpoint.</summary>
public abstract record InvocationResult
{
    private InvocationResult()
    {
    }

    /// <summary>2xx with Outputs/Logs/ReturnValue.</summary>
    public sealed record Completed(IReadOnlyDictionary<string, JsonNode?> Outputs, JsonNode? ReturnValue) : InvocationResult;

    /// <summary>400: the payload was not what the function.json promises.</summary>
    public sealed record Invalid(FieldErrors Errors) : InvocationResult;

    /// <summary>500: the work failed; the host counts a failure and applies the retry policy.</summary>
    public sealed record Failed(string Reason) : InvocationResult;

    public static InvocationResult Done(IReadOnlyDictionary<string, JsonNode?>? outputs = null, JsonNode? returnValue = null) =>
        new Completed(outputs ?? new Dictionary<string, JsonNode?>(), returnValue);
}

/// <summary>What a handler sees of its invocation besides the payload.</summary>
public sealed class InvocationContext(FunctionDescriptor function, string invocationId)
{
    private readonly List<string> _logs = [];

    public FunctionDescriptor Function { get; } = function;

    public string InvocationId { get; } = invocationId;

    public IReadOnlyList<string> Logs => _logs;

    /// <summary>A line for the host's invocation log (Application Insights traces); never put secrets here.</summary>
    public void Log(string line) => _logs.Add(line);
}

/// <summary>Handles the payload-mode invocations of one function.json (timer, queue, Event Hub triggers).</summary>
public interface IFunctionHandler
{
    /// <summary>The function's folder name, which is also the invocation path.</summary>
    string FunctionName { get; }

    Task<InvocationResult> InvokeAsync(InvocationRequest request, InvocationContext context, CancellationToken cancellationToken);
}

/// <summary>A function whose trigger payload is read into a typed record before it runs; a malformed payload never reaches it.</summary>
public abstract class TriggeredFunction<TPayload> : IFunctionHandler
{
    public abstract string FunctionName { get; }

    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, InvocationContext context, CancellationToken cancellationToken)
    {
        var payload = Read(request, context.Function.Trigger.Name);
        return payload.IsValid ? await RunAsync(payload.Value, context, cancellationToken) : new InvocationResult.Invalid(payload.Errors!);
    }

    protected abstract Parsed<TPayload> Read(InvocationRequest request, string bindingName);

    protected abstract Task<InvocationResult> RunAsync(TPayload payload, InvocationContext context, CancellationToken cancellationToken);
}

/// <summary>A timer-triggered function.</summary>
public abstract class TimerFunction : TriggeredFunction<TimerInvocation>
{
    protected sealed override Parsed<TimerInvocation> Read(InvocationRequest request, string bindingName) => TriggerPayloads.ReadTimer(request, bindingName);
}

/// <summary>A queue-triggered function.</summary>
public abstract class QueueFunction : TriggeredFunction<QueueInvocation>
{
    protected sealed override Parsed<QueueInvocation> Read(InvocationRequest request, string bindingName) => TriggerPayloads.ReadQueue(request, bindingName);
}
