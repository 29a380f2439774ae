using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace TokenTally.Functions.Ingestion;

/// <summary>
/// The Event Hubs trigger binding. The worker extension that normally declares it is not on our package feed, so we declare
/// it ourselves: the Sdk writes it into functions.metadata as <c>eventHubTrigger</c>, and the deployment build
/// (scripts/package.sh) adds the host's Event Hubs extension that runs it.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
[BindingCapabilities("FunctionLevelRetry")]
public sealed class EventHubTriggerAttribute(string eventHubName) : TriggerBindingAttribute, ISupportCardinality
{
    /// <summary>The hub's name, or <c>%Setting%</c> to read it from an app setting.</summary>
    public string EventHubName { get; } = eventHubName;

    /// <summary>The name prefix of the connection settings (<c>&lt;Connection&gt;__fullyQualifiedNamespace</c> for managed identity).</summary>
    public string? Connection { get; set; }

    public string ConsumerGroup { get; set; } = "$Default";

    /// <summary>Whether the function takes a batch of events (cardinality many).</summary>
    [DefaultValue(true)]
    public bool IsBatched { get; set; } = true;

    Cardinality ISupportCardinality.Cardinality
    {
        get => IsBatched ? Cardinality.Many : Cardinality.One;
        set => IsBatched = value == Cardinality.Many;
    }
}
