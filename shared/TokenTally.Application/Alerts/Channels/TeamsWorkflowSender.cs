using System.Net.Mime;
using System.Text;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Alerts.Channels;

/// <summary>Posts the alert's Adaptive Card (1.4) to a Teams Workflows webhook; Workflows answers 202 and posts the card later.</summary>
internal sealed class TeamsWorkflowSender(IHttpClientFactory clients, TimeProvider time) : IAlertChannelSender
{
    public ChannelKind Kind => ChannelKind.TeamsWorkflow;

    public async Task<DeliveryAttempt> SendAsync(AlertChannel channel, ChannelSecrets secrets, AlertNotification notification, CancellationToken cancellationToken)
    {
        var teams = (TeamsWorkflowChannel)channel;
        if (!secrets.TryReveal(teams.WebhookUrl, out var secretUrl))
        {
            return DeliveryAttempt.Permanent($"The webhook URL secret '{teams.WebhookUrl.Name}' was not supplied.");
        }

        if (HttpAttempts.HttpUrl(secretUrl) is not { } url)
        {
            return DeliveryAttempt.Permanent($"The webhook URL secret '{teams.WebhookUrl.Name}' is not an absolute http(s) URL.");
        }

        using var content = new StringContent(TeamsAlertCard.Message(notification).ToJsonString(), Encoding.UTF8, MediaTypeNames.Application.Json);
        try
        {
            using var response = await clients.CreateClient(HttpAttempts.ClientName).PostAsync(url, content, cancellationToken);
            var attempt = HttpAttempts.Of(response, time);

            // A trigger restricted to tenant users wants an Entra token we do not send; say so rather than just "401".
            return (int)response.StatusCode is 401 or 403
                ? attempt with { Error = $"{attempt.Error}: the Workflows trigger may be restricted to signed-in users; set 'Who can trigger the flow?' to 'Anyone'" }
                : attempt;
        }
        catch (HttpRequestException failure)
        {
            return HttpAttempts.Of(failure);
        }
    }
}
