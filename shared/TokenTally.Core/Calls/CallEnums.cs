namespace TokenTally.Core.Calls;

/// <summary>What kind of model call was made.</summary>
public enum CallOperation
{
    /// <summary>Chat or responses API.</summary>
    Chat,

    /// <summary>Legacy text completion.</summary>
    Completion,

    /// <summary>Embedding.</summary>
    Embedding,

    /// <summary>Image generation.</summary>
    Image,

    /// <summary>Speech or transcription.</summary>
    Audio,

    /// <summary>A tool call billed by the provider.</summary>
    Tool,
}

/// <summary>Whether the call succeeded.</summary>
public enum CallStatus
{
    /// <summary>The provider answered.</summary>
    Ok,

    /// <summary>The call failed.</summary>
    Error,
}

/// <summary>The provider's processing tier, which changes the price.</summary>
public enum ServiceTier
{
    /// <summary>The default, on-demand tier.</summary>
    Standard,

    /// <summary>Asynchronous batch processing (typically half price).</summary>
    Batch,

    /// <summary>Priority processing (a premium).</summary>
    Priority,

    /// <summary>Flex processing (a discount for slower, interruptible work).</summary>
    Flex,
}

/// <summary>Azure OpenAI deployment types, which are priced differently.</summary>
public enum AzureDeploymentType
{
    /// <summary>Global standard: routed to any Azure region.</summary>
    Global,

    /// <summary>Data zone: processing stays inside a data zone (EU, US).</summary>
    DataZone,

    /// <summary>Regional standard: processing stays in the resource's region.</summary>
    Regional,
}
