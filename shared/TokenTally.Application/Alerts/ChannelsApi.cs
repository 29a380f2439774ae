using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Application.Projects;
using TokenTally.Core.Alerts;
using TokenTally.Storage.Documents;

namespace TokenTally.Application.Alerts;

/// <summary>A channel as shown: its non-secret settings, and for each secret whether it is set and since when; never a value.</summary>
public sealed record ChannelView(
    string Id,
    string Tenant,
    string Name,
    string Kind,
    JsonObject Settings,
    IReadOnlyDictionary<string, SecretView> Secrets,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Whether a secret is stored, and when it was last set.</summary>
public sealed record SecretView(bool Set, DateTimeOffset? UpdatedAt);

/// <summary>How a test alert's delivery went: outcome, attempts and the last error (free of secrets).</summary>
public sealed record DeliveryView(
    string ChannelId,
    string Kind,
    string IdempotencyId,
    DeliveryOutcome Outcome,
    int Attempts,
    string? LastError,
    string? Receipt,
    DateTimeOffset FirstAttemptAt,
    DateTimeOffset CompletedAt);

/// <summary>What the channel endpoints use.</summary>
public sealed record ChannelServices(
    [FromServices] ChannelStore Channels,
    [FromServices] IChannelSecretStore Secrets,
    [FromServices] IEnumerable<IChannelReferences> References,
    [FromServices] ProjectStore Projects,
    [FromServices] IOptions<AlertChannelOptions> Options,
    [FromServices] TimeProvider Time);

/// <summary>
/// A tenant's alert channels (Teams, email over SMTP or ACS, signed webhooks): the admin key writes them and sends test
/// alerts, naming the tenant (<c>?tenant=acme</c>); a <c>read:tenant</c> key reads its tenant's. Secrets are written, never read back.
/// </summary>
public static class ChannelsApi
{
    public const string TestAlertTitle = "TokenTally test alert";

    public static IEndpointRouteBuilder MapChannelsApi(this IEndpointRouteBuilder app)
    {
        // Every endpoint answers 400 for a bad or missing ?tenant= or an unknown query parameter.
        var group = app.MapGroup("/api/v1/channels").WithTags("Alert channels").ProducesValidationProblem();
        group.MapGet("/", ListAsync).WithName("ListChannels").RequireAuthorization(Policies.AdminOrReadTenant)
            .WithSummary("The tenant's alert channels, secrets shown as set or not. The admin key names the tenant: ?tenant=acme.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/", CreateAsync).WithName("CreateChannel").RequireAuthorization(Policies.Manage)
            .WithSummary("Creates a channel (admin key or app role TokenTally.Editor, ?tenant=acme): name, kind (teams, email-smtp, email-acs, webhook), settings, secrets.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}", GetAsync).WithName("GetChannel").RequireAuthorization(Policies.AdminOrReadTenant)
            .WithSummary("One channel, with its ETag.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPut("/{id}", ReplaceAsync).WithName("ReplaceChannel").RequireAuthorization(Policies.Manage)
            .WithSummary("Replaces a channel whole (admin key or app role TokenTally.Editor); a secret left out keeps its stored value; with If-Match, only if unchanged since (412 otherwise).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteChannel").RequireAuthorization(Policies.Manage)
            .WithSummary("Deletes a channel and its secrets (admin key or app role TokenTally.Editor); 409 while a budget names it; with If-Match, only if unchanged since (412 otherwise).")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        group.MapPost("/{id}/test", TestAsync).WithName("TestChannel").RequireAuthorization(Policies.Manage)
            .WithSummary("Sends a test alert to the channel (admin key or app role TokenTally.Editor), with the channel's retries, and answers how the delivery went.")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Ok<IReadOnlyList<ChannelView>>, ProblemHttpResult>> ListAsync(
        [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] ChannelServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "channels", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var channels = await services.Channels.ListAsync(target.Tenant!, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ChannelView>>(channels.Select(c => ToView(c.Channel)).ToList());
    }

    public static async Task<Results<Ok<ChannelView>, ProblemHttpResult>> GetAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] ChannelServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "channels", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (await services.Channels.GetAsync(target.Tenant!, id, cancellationToken) is not { } stored)
        {
            return NoSuchChannel(id);
        }

        response.Headers.ETag = TenantResources.ETagHeader(stored.ETag);
        return TypedResults.Ok(ToView(stored.Channel));
    }

    public static async Task<Results<Created<ChannelView>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        [FromQuery(Name = "tenant")] string? tenant, ChannelRequest channel, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] ChannelServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "channels", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        var id = ChannelStore.NewId();
        var (valid, errors) = ChannelValidator.Validate(channel, id, new HashSet<string>(), services.Options.Value.AllowLoopbackHttp);
        if (valid is null)
        {
            return TenantResources.ValidationProblem(errors);
        }

        // The secrets first: a stored channel never names a secret that is not there.
        var now = services.Time.GetUtcNow();
        foreach (var (name, value) in valid.Secrets)
        {
            await services.Secrets.PutAsync(target.Tenant!, id, name, value, cancellationToken);
        }

        var document = new ChannelDocument(id, target.Tenant!, valid.Name, valid.Definition, valid.Secrets.Keys.ToDictionary(k => k, _ => now), now, now);
        var written = await services.Channels.CreateAsync(document, cancellationToken);
        if (!written.Succeeded)
        {
            throw new InvalidOperationException($"A new channel id ({id}) was already taken in tenant {document.Tenant}: {written.Status}.");
        }

        response.Headers.ETag = TenantResources.ETagHeader(written.ETag!);
        return TypedResults.Created($"/api/v1/channels/{id}" + (caller.IsAdmin ? $"?tenant={document.Tenant}" : string.Empty), ToView(document));
    }

    public static async Task<Results<Ok<ChannelView>, ValidationProblem, ProblemHttpResult>> ReplaceAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, ChannelRequest channel, HttpRequest request, HttpResponse response, Caller caller, [AsParameters] ChannelServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "channels", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (await services.Channels.GetAsync(target.Tenant!, id, cancellationToken) is not { } current)
        {
            return NoSuchChannel(id);
        }

        var stored = current.Channel.SecretsUpdatedAt.Keys.ToHashSet(StringComparer.Ordinal);
        var (valid, errors) = ChannelValidator.Validate(channel, id, stored, services.Options.Value.AllowLoopbackHttp);
        if (valid is null)
        {
            return TenantResources.ValidationProblem(errors);
        }

        if (!TenantResources.TryIfMatch(request, out var ifMatch) || (ifMatch is not null && ifMatch != current.ETag))
        {
            return Changed(id);
        }

        var now = services.Time.GetUtcNow();
        foreach (var (name, value) in valid.Secrets)
        {
            await services.Secrets.PutAsync(target.Tenant!, id, name, value, cancellationToken);
        }

        // Each secret the new definition names: set now, or kept from before; the others are dropped below.
        var names = ChannelSecretNames.Of(valid.Definition).Select(ChannelStore.SecretNameOf).ToHashSet(StringComparer.Ordinal);
        var updatedAt = names.ToDictionary(n => n, n => valid.Secrets.ContainsKey(n) ? now : current.Channel.SecretsUpdatedAt[n]);
        var document = new ChannelDocument(id, target.Tenant!, valid.Name, valid.Definition, updatedAt, current.Channel.CreatedAt, now);
        var written = await services.Channels.ReplaceAsync(document, current.ETag, cancellationToken);
        switch (written.Status)
        {
            case WriteStatus.Succeeded:
                foreach (var dropped in stored.Except(names))
                {
                    await services.Secrets.DeleteAsync(target.Tenant!, id, dropped, cancellationToken);
                }

                response.Headers.ETag = TenantResources.ETagHeader(written.ETag!);
                return TypedResults.Ok(ToView(document));
            case WriteStatus.NotFound:
                return NoSuchChannel(id);
            default:
                return Changed(id);
        }
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [AsParameters] ChannelServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "channels", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (await services.Channels.GetAsync(target.Tenant!, id, cancellationToken) is not { } current)
        {
            return NoSuchChannel(id);
        }

        if (!TenantResources.TryIfMatch(request, out var ifMatch) || (ifMatch is not null && ifMatch != current.ETag))
        {
            return Changed(id);
        }

        var users = new List<ChannelReference>();
        foreach (var references in services.References)
        {
            users.AddRange(await references.NamingAsync(target.Tenant!, id, cancellationToken));
        }

        if (users.Count > 0)
        {
            return TypedResults.Problem(
                title: "Channel in use",
                detail: $"Channel '{id}' is still named by {string.Join(", ", users.Select(u => $"{u.Kind} '{u.Name}' ({u.Id})"))}: remove it from them first.",
                statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["usedBy"] = users });
        }

        var deleted = await services.Channels.DeleteAsync(target.Tenant!, id, current.ETag, cancellationToken);
        switch (deleted.Status)
        {
            case WriteStatus.Succeeded:
                foreach (var name in current.Channel.SecretsUpdatedAt.Keys)
                {
                    await services.Secrets.DeleteAsync(target.Tenant!, id, name, cancellationToken);
                }

                return TypedResults.NoContent();
            case WriteStatus.NotFound:
                return NoSuchChannel(id);
            default:
                return Changed(id);
        }
    }

    public static async Task<Results<Ok<DeliveryView>, ProblemHttpResult>> TestAsync(
        string id, [FromQuery(Name = "tenant")] string? tenant, HttpRequest request, Caller caller, [FromServices] ChannelDelivery delivery, [AsParameters] ChannelServices services, CancellationToken cancellationToken)
    {
        var target = await TenantResources.TenantOfAsync(tenant, request, caller, services.Projects, "channels", cancellationToken);
        if (target.Refused is { } refused)
        {
            return refused;
        }

        if (await services.Channels.GetAsync(target.Tenant!, id, cancellationToken) is not { } stored)
        {
            return NoSuchChannel(id);
        }

        var channel = stored.Channel;
        var secrets = ChannelSecrets.None;
        foreach (var reference in ChannelSecretNames.Of(channel.Definition))
        {
            if (await services.Secrets.GetAsync(channel.Tenant, channel.Id, ChannelStore.SecretNameOf(reference), cancellationToken) is { } value)
            {
                secrets = secrets.With(reference, value);
            }
        }

        var now = services.Time.GetUtcNow();
        var notification = new AlertNotification(
            AlertNotification.IdempotencyIdFor($"channel-test:{channel.Tenant}/{channel.Id}", now.ToString("O", CultureInfo.InvariantCulture)),
            TestAlertTitle,
            AlertSeverity.Info,
            $"A test of channel '{channel.Name}': if you read this, TokenTally's alerts reach it.",
            [
                new("Tenant", channel.Tenant),
                new("Channel", $"{channel.Name} ({ChannelKindNames.NameOf(channel.Definition.Kind)})"),
                new("Sent", now.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
            ],
            new Uri($"{request.Scheme}://{request.Host}{request.PathBase}/"),
            now);
        var record = (await delivery.DeliverAsync([channel.Definition], secrets, notification, cancellationToken)).Single();
        return TypedResults.Ok(new DeliveryView(
            record.ChannelId, ChannelKindNames.NameOf(record.Kind), record.IdempotencyId, record.Outcome, record.Attempts, record.LastError, record.Receipt, record.FirstAttemptAt, record.CompletedAt));
    }

    public static ChannelView ToView(ChannelDocument channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        var secrets = ChannelSecretNames.Of(channel.Definition)
            .Select(ChannelStore.SecretNameOf)
            .ToDictionary(
                name => name,
                name => channel.SecretsUpdatedAt.TryGetValue(name, out var at) ? new SecretView(true, at) : new SecretView(false, null));
        return new ChannelView(channel.Id, channel.Tenant, channel.Name, ChannelKindNames.NameOf(channel.Definition.Kind), ChannelValidator.SettingsOf(channel.Definition), secrets, channel.CreatedAt, channel.UpdatedAt);
    }

    private static ProblemHttpResult NoSuchChannel(string id) =>
        TypedResults.Problem(title: "Not found", detail: $"No channel '{id}' in this tenant.", statusCode: StatusCodes.Status404NotFound);

    private static ProblemHttpResult Changed(string id) =>
        TypedResults.Problem(title: "Precondition failed", detail: $"Channel '{id}' has changed since the ETag in If-Match: read it again and retry.", statusCode: StatusCodes.Status412PreconditionFailed);
}
