using System.Net.Mail;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Calls;

namespace TokenTally.Application.Alerts;

/// <summary>
/// A channel as sent to POST and PUT: <c>kind</c> teams, email-smtp, email-acs or webhook; <c>settings</c> the kind's
/// non-secret settings; <c>secrets</c> the kind's secret values (a PUT without one keeps the stored value).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ChannelRequest(string? Name, string? Kind, JsonObject? Settings = null, Dictionary<string, string?>? Secrets = null);

/// <summary>A valid channel: its name, its definition, and the secret values the request set (by secret name).</summary>
public sealed record ValidatedChannel(string Name, AlertChannel Definition, IReadOnlyDictionary<string, string> Secrets);

/// <summary>The kinds of channel as the API names them.</summary>
public static class ChannelKindNames
{
    public const string Teams = "teams";
    public const string Smtp = "email-smtp";
    public const string AcsEmail = "email-acs";
    public const string Webhook = "webhook";

    public static IReadOnlyList<string> All { get; } = [Teams, Smtp, AcsEmail, Webhook];

    public static string NameOf(ChannelKind kind) => kind switch
    {
        ChannelKind.TeamsWorkflow => Teams,
        ChannelKind.Smtp => Smtp,
        ChannelKind.AcsEmail => AcsEmail,
        ChannelKind.Webhook => Webhook,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown channel kind."),
    };
}

/// <summary>The secrets each kind of channel takes, by name.</summary>
public static class ChannelSecretNames
{
    public const string WebhookUrl = "webhookUrl";
    public const string SigningSecret = "signingSecret";
    public const string Password = "password";
    public const string AccessKey = "accessKey";

    /// <summary>The secrets a channel of this definition refers to.</summary>
    public static IEnumerable<SecretRef> Of(AlertChannel channel) => (channel switch
    {
        TeamsWorkflowChannel teams => [teams.WebhookUrl],
        WebhookChannel webhook => [webhook.SigningSecret],
        SmtpChannel smtp => [smtp.Password],
        AcsEmailChannel acs => [acs.AccessKey],
        _ => Array.Empty<SecretRef?>(),
    }).OfType<SecretRef>();
}

/// <summary>
/// Checks a <see cref="ChannelRequest"/> field by field, each error with its field and code: <c>kind</c>/<c>enum</c>,
/// <c>settings.url</c>/<c>https</c>, <c>settings.port</c>/<c>range</c>, <c>settings.to[0]</c>/<c>format</c>,
/// <c>secrets.webhookUrl</c>/<c>required</c>, <c>secrets.signingSecret</c>/<c>format</c>, <c>settings.x</c>/<c>unknown</c> ….
/// </summary>
public static class ChannelValidator
{
    public const int MaxNameLength = 100;
    public const int MaxRecipients = 50;

    /// <summary>Validates a channel with id <paramref name="channelId"/>; <paramref name="storedSecrets"/> names the secrets it already has.</summary>
    public static (ValidatedChannel? Channel, IReadOnlyList<FieldError> Errors) Validate(
        ChannelRequest request, string channelId, IReadOnlySet<string> storedSecrets, bool allowLoopbackHttp)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors.Add(new FieldError("name", "required", "name is required."));
        }
        else if (name.Length > MaxNameLength)
        {
            errors.Add(new FieldError("name", "length", $"name is at most {MaxNameLength} characters."));
        }

        if (request.Kind is null)
        {
            errors.Add(new FieldError("kind", "required", $"kind is required: {string.Join(", ", ChannelKindNames.All)}."));
            return (null, errors);
        }

        if (!ChannelKindNames.All.Contains(request.Kind, StringComparer.Ordinal))
        {
            errors.Add(new FieldError("kind", "enum", $"kind '{request.Kind}' is not one of {string.Join(", ", ChannelKindNames.All)}."));
            return (null, errors);
        }

        var context = new Context(request.Settings ?? [], request.Secrets ?? [], storedSecrets, allowLoopbackHttp, errors);
        AlertChannel? definition = request.Kind switch
        {
            ChannelKindNames.Teams => Teams(channelId, context),
            ChannelKindNames.Webhook => Webhook(channelId, context),
            ChannelKindNames.Smtp => Smtp(channelId, context),
            _ => AcsEmail(channelId, context),
        };
        if (errors.Count > 0 || definition is null)
        {
            return (null, errors);
        }

        var secrets = context.Secrets.Where(s => s.Value is not null).ToDictionary(s => s.Key, s => s.Value!, StringComparer.Ordinal);
        return (new ValidatedChannel(name!, definition, secrets), errors);
    }

    private sealed record Context(JsonObject Settings, Dictionary<string, string?> Secrets, IReadOnlySet<string> Stored, bool AllowLoopbackHttp, List<FieldError> Errors)
    {
        public void Error(string field, string code, string message) => Errors.Add(new FieldError(field, code, message));

        /// <summary>Names every setting and secret the kind does not take.</summary>
        public void Only(string kind, string[] settings, string[] secrets)
        {
            foreach (var (key, _) in Settings.Where(s => !settings.Contains(s.Key, StringComparer.Ordinal)))
            {
                Error($"settings.{key}", "unknown", settings.Length == 0
                    ? $"A {kind} channel takes no settings."
                    : $"'{key}' is not a setting of a {kind} channel; it takes {string.Join(", ", settings)}.");
            }

            foreach (var key in Secrets.Keys.Where(k => !secrets.Contains(k, StringComparer.Ordinal)))
            {
                Error($"secrets.{key}", "unknown", secrets.Length == 0
                    ? $"A {kind} channel has no secrets."
                    : $"'{key}' is not a secret of a {kind} channel; it takes {string.Join(", ", secrets)}.");
            }
        }

        /// <summary>The secret's new value (null when the request keeps the stored one or has none); an error when it is needed and neither is there.</summary>
        public string? Secret(string name, bool required)
        {
            Secrets.TryGetValue(name, out var value);
            if (value is not null && value.Length == 0)
            {
                Error($"secrets.{name}", "empty", $"secrets.{name} must not be empty; leave it out to keep the stored value.");
            }
            else if (value is null && required && !Stored.Contains(name))
            {
                Error($"secrets.{name}", "required", $"secrets.{name} is required (it is stored apart and never shown again).");
            }

            return string.IsNullOrEmpty(value) ? null : value;
        }

        public string? Text(string name, bool required)
        {
            var node = Settings[name];
            if (node is null)
            {
                if (required)
                {
                    Error($"settings.{name}", "required", $"settings.{name} is required.");
                }

                return null;
            }

            if (node.GetValueKind() != JsonValueKind.String || node.GetValue<string>().Trim() is not { Length: > 0 } text)
            {
                Error($"settings.{name}", "format", $"settings.{name} must be a non-empty string.");
                return null;
            }

            return text;
        }

        /// <summary>An https URL (or plain http on a loopback address, when allowed); <paramref name="field"/> names it in errors.</summary>
        public Uri? Url(string? text, string field)
        {
            if (text is null)
            {
                return null;
            }

            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp) || url.Host.Length == 0)
            {
                Error(field, "format", $"{field} must be an absolute https URL.");
                return null;
            }

            if (url.Scheme == Uri.UriSchemeHttp && !(AllowLoopbackHttp && url.IsLoopback))
            {
                Error(field, "https", $"{field} must use https{(AllowLoopbackHttp ? " (plain http only to a loopback address)" : string.Empty)}.");
                return null;
            }

            return url;
        }

        public string? Email(string? text, string field)
        {
            if (text is not null && !(MailAddress.TryCreate(text, out var address) && address.Address == text && address.DisplayName.Length == 0))
            {
                Error(field, "format", $"{field} must be an email address such as alerts@example.com.");
                return null;
            }

            return text;
        }

        public IReadOnlyList<string>? Emails(string name)
        {
            var field = $"settings.{name}";
            if (Settings[name] is not JsonArray array || array.Count == 0)
            {
                Error(field, Settings[name] is null ? "required" : "format", $"{field} must be a non-empty array of email addresses.");
                return null;
            }

            if (array.Count > MaxRecipients)
            {
                Error(field, "length", $"{field} holds at most {MaxRecipients} addresses.");
                return null;
            }

            var addresses = new List<string>();
            for (var i = 0; i < array.Count; i++)
            {
                var text = array[i] is { } item && item.GetValueKind() == JsonValueKind.String ? item.GetValue<string>() : null;
                if (Email(text ?? string.Empty, $"{field}[{i}]") is { } address)
                {
                    addresses.Add(address);
                }
            }

            return addresses.Count == array.Count ? addresses : null;
        }

        public T? Choice<T>(string name, T @default, IReadOnlyDictionary<string, T> choices)
            where T : struct
        {
            if (Text(name, required: false) is not { } text)
            {
                return Settings[name] is null ? @default : null;
            }

            if (choices.TryGetValue(text, out var value))
            {
                return value;
            }

            Error($"settings.{name}", "enum", $"settings.{name} is one of {string.Join(", ", choices.Keys)}.");
            return null;
        }
    }

    private static TeamsWorkflowChannel? Teams(string id, Context c)
    {
        c.Only(ChannelKindNames.Teams, [], [ChannelSecretNames.WebhookUrl]);
        var url = c.Secret(ChannelSecretNames.WebhookUrl, required: true);
        if (url is not null)
        {
            c.Url(url, $"secrets.{ChannelSecretNames.WebhookUrl}");
        }

        return c.Errors.Count == 0 ? new TeamsWorkflowChannel(id, ChannelStore.SecretRefOf(id, ChannelSecretNames.WebhookUrl)) : null;
    }

    private static WebhookChannel? Webhook(string id, Context c)
    {
        c.Only(ChannelKindNames.Webhook, ["url"], [ChannelSecretNames.SigningSecret]);
        var url = c.Url(c.Text("url", required: true), "settings.url");
        if (c.Secret(ChannelSecretNames.SigningSecret, required: true) is { } secret && !WebhookSecrets.IsValid(secret))
        {
            c.Error($"secrets.{ChannelSecretNames.SigningSecret}", "format", "secrets.signingSecret must be 'whsec_' and the base64 of 24-64 random bytes (Standard Webhooks).");
        }

        return c.Errors.Count == 0 ? new WebhookChannel(id, url!, ChannelStore.SecretRefOf(id, ChannelSecretNames.SigningSecret)) : null;
    }

    private static readonly Dictionary<string, SmtpTls> TlsModes = new(StringComparer.Ordinal)
    {
        ["startTls"] = SmtpTls.StartTls,
        ["startTlsWhenAvailable"] = SmtpTls.StartTlsWhenAvailable,
        ["implicit"] = SmtpTls.Implicit,
        ["none"] = SmtpTls.None,
    };

    private static SmtpChannel? Smtp(string id, Context c)
    {
        c.Only(ChannelKindNames.Smtp, ["host", "port", "tls", "username", "from", "to"], [ChannelSecretNames.Password]);
        var host = c.Text("host", required: true);
        if (host is not null && Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            c.Error("settings.host", "format", "settings.host must be a host name or an IP address, without scheme or port.");
        }

        int? port = 587;
        if (c.Settings["port"] is { } portNode)
        {
            port = portNode.GetValueKind() == JsonValueKind.Number && portNode.AsValue().TryGetValue<int>(out var p) ? p : null;
            if (port is not (>= 1 and <= 65535))
            {
                c.Error("settings.port", "range", "settings.port must be a whole number from 1 to 65535.");
            }
        }

        var tls = c.Choice("tls", SmtpTls.StartTls, TlsModes);
        var username = c.Text("username", required: false);
        var password = c.Secret(ChannelSecretNames.Password, required: username is not null);
        if (username is null && password is not null)
        {
            c.Error($"secrets.{ChannelSecretNames.Password}", "unexpected", "secrets.password needs settings.username.");
        }

        var from = c.Email(c.Text("from", required: true), "settings.from");
        var to = c.Emails("to");
        return c.Errors.Count == 0
            ? new SmtpChannel(id, host!, port!.Value, tls!.Value, username, username is null ? null : ChannelStore.SecretRefOf(id, ChannelSecretNames.Password), from!, to!)
            : null;
    }

    private static readonly Dictionary<string, AcsAuthentication> AcsAuthentications = new(StringComparer.Ordinal)
    {
        ["accessKey"] = AcsAuthentication.AccessKey,
        ["entraId"] = AcsAuthentication.EntraId,
    };

    private static AcsEmailChannel? AcsEmail(string id, Context c)
    {
        c.Only(ChannelKindNames.AcsEmail, ["endpoint", "authentication", "senderAddress", "recipients"], [ChannelSecretNames.AccessKey]);
        var endpoint = c.Url(c.Text("endpoint", required: true), "settings.endpoint");
        var authentication = c.Choice("authentication", AcsAuthentication.AccessKey, AcsAuthentications);
        var usesKey = authentication == AcsAuthentication.AccessKey;
        var key = c.Secret(ChannelSecretNames.AccessKey, required: usesKey);
        if (key is not null && !usesKey)
        {
            c.Error($"secrets.{ChannelSecretNames.AccessKey}", "unexpected", "secrets.accessKey is for settings.authentication accessKey only.");
        }
        else if (key is not null && !Convert.TryFromBase64String(key, new byte[key.Length], out _))
        {
            c.Error($"secrets.{ChannelSecretNames.AccessKey}", "format", "secrets.accessKey must be the resource's access key (base64), as the Azure portal shows it.");
        }

        var sender = c.Email(c.Text("senderAddress", required: true), "settings.senderAddress");
        var recipients = c.Emails("recipients");
        return c.Errors.Count == 0
            ? new AcsEmailChannel(id, endpoint!, authentication!.Value, usesKey ? ChannelStore.SecretRefOf(id, ChannelSecretNames.AccessKey) : null, sender!, recipients!)
            : null;
    }

    /// <summary>The non-secret settings of a channel, as the API shows them (the shape a request sends).</summary>
    public static JsonObject SettingsOf(AlertChannel channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return channel switch
        {
            TeamsWorkflowChannel => [],
            WebhookChannel webhook => new JsonObject { ["url"] = webhook.Url.OriginalString },
            SmtpChannel smtp => SmtpSettings(smtp),
            AcsEmailChannel acs => new JsonObject
            {
                ["endpoint"] = acs.Endpoint.OriginalString,
                ["authentication"] = AcsAuthentications.Single(m => m.Value == acs.Authentication).Key,
                ["senderAddress"] = acs.SenderAddress,
                ["recipients"] = new JsonArray([.. acs.Recipients.Select(a => JsonValue.Create(a))]),
            },
            _ => throw new ArgumentOutOfRangeException(nameof(channel), channel.Kind, "Unknown channel kind."),
        };
    }

    private static JsonObject SmtpSettings(SmtpChannel smtp)
    {
        var settings = new JsonObject { ["host"] = smtp.Host, ["port"] = smtp.Port, ["tls"] = TlsModes.Single(m => m.Value == smtp.Tls).Key };
        if (smtp.Username is not null)
        {
            settings["username"] = smtp.Username;
        }

        settings["from"] = smtp.From;
        settings["to"] = new JsonArray([.. smtp.To.Select(a => JsonValue.Create(a))]);
        return settings;
    }
}
