using Microsoft.Azure.Functions.Worker;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>
/// The invocation context the worker hands a function, with what our functions read of it: the binding data the host sent
/// with the trigger, the invocation's services and its cancellation. The rest is not used by our functions.
/// </summary>
public sealed class TestFunctionContext(IServiceProvider services, IReadOnlyDictionary<string, object?>? bindingData = null, CancellationToken cancellationToken = default)
    : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString();

    public override string FunctionId { get; } = Guid.NewGuid().ToString();

    public override TraceContext TraceContext => throw new NotSupportedException("Not used by TokenTally's functions.");

    public override BindingContext BindingContext { get; } = new TestBindingContext(bindingData ?? new Dictionary<string, object?>());

    public override RetryContext RetryContext => throw new NotSupportedException("Not used by TokenTally's functions.");

    public override IServiceProvider InstanceServices { get; set; } = services;

    public override FunctionDefinition FunctionDefinition => throw new NotSupportedException("Not used by TokenTally's functions.");

    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();

    public override IInvocationFeatures Features => throw new NotSupportedException("Not used by TokenTally's functions.");

    public override CancellationToken CancellationToken { get; } = cancellationToken;

    private sealed class TestBindingContext(IReadOnlyDictionary<string, object?> bindingData) : BindingContext
    {
        public override IReadOnlyDictionary<string, object?> BindingData { get; } = bindingData;
    }
}
