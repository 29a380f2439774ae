using System.Text.Json.Serialization;

namespace TokenTally.Application.Alerts.Channels;

public enum ChannelKind
{
    TeamsWorkflow,
    Smtp,
    AcsEmail,
    Webhook,
}

/// <summary>
/// Where a tenant's alerts go. A channel names its secrets by <see cref="SecretRef"/> only; the values live apart
/// (<see cref="ChannelSecrets"/>), so a stored or echoed channel never carries one.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(TeamsWorkflowChannel), "teams-workflow")]
[JsonDerivedType(typeof(SmtpChannel), "smtp")]
[JsonDerivedType(typeof(AcsEmailChannel), "acs-email")]
[JsonDerivedType(typeof(WebhookChannel), "webhook")]
public abstract record AlertChannel(string Id)
{
    [JsonIgnore]
    public abstract ChannelKind Kind { get; }
}

/// <summary>A Teams Workflows "When a Teams webhook request is received" trigger; its URL is signed, so the whole URL is the secret.</summary>
public sealed record TeamsWorkflowChannel(string Id, SecretRef WebhookUrl) : AlertChannel(Id)
{
    [JsonIgnore]
    public override ChannelKind Kind => ChannelKind.TeamsWorkflow;
}

/// <summary>How an SMTP connection is secured.</summary>
public enum SmtpTls
{
    /// <summary>Plain text; for a relay on the same host or a test listener only.</summary>
    None,

    /// <summary>STARTTLS, required: the send fails if the server does not offer it (port 587).</summary>
    StartTls,

    /// <summary>STARTTLS when the server offers it, plain text otherwise.</summary>
    StartTlsWhenAvailable,

    /// <summary>TLS from the first byte (port 465).</summary>
    Implicit,
}

/// <summary>Email through an SMTP relay (e.g. smtp.azurecomm.net:587 with STARTTLS); credentials are optional.</summary>
public sealed record SmtpChannel(
    string Id,
    string Host,
    int Port,
    SmtpTls Tls,
    string? Username,
    SecretRef? Password,
    string From,
    IReadOnlyList<string> To) : AlertChannel(Id)
{
    [JsonIgnore]
    public override ChannelKind Kind => ChannelKind.Smtp;
}

public enum AcsAuthentication
{
    /// <summary>HMAC-SHA256 with the resource's access key.</summary>
    AccessKey,

    /// <summary>An Entra ID bearer token from the host's <c>TokenCredential</c>.</summary>
    EntraId,
}

/// <summary>Azure Communication Services Email over its REST API.</summary>
/// <param name="Id">The channel's id.</param>
/// <param name="Endpoint">The resource endpoint, e.g. <c>https://contoso.communication.azure.com/</c>.</param>
/// <param name="Authentication">Access key (HMAC) or Entra ID.</param>
/// <param name="AccessKey">The access key's secret; required with <see cref="AcsAuthentication.AccessKey"/>.</param>
/// <param name="SenderAddress">An address on a domain verified for the resource.</param>
/// <param name="Recipients">The addresses the alert goes to.</param>
public sealed record AcsEmailChannel(
    string Id,
    Uri Endpoint,
    AcsAuthentication Authentication,
    SecretRef? AccessKey,
    string SenderAddress,
    IReadOnlyList<string> Recipients) : AlertChannel(Id)
{
    [JsonIgnore]
    public override ChannelKind Kind => ChannelKind.AcsEmail;
}

/// <summary>Any HTTP endpoint, sent a JSON body signed per the Standard Webhooks specification with a <c>whsec_…</c> secret.</summary>
public sealed record WebhookChannel(string Id, Uri Url, SecretRef SigningSecret) : AlertChannel(Id)
{
    [JsonIgnore]
    public override ChannelKind Kind => ChannelKind.Webhook;
}
