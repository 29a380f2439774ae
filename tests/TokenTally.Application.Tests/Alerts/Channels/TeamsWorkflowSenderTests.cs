using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using TokenTally.Application.Alerts.Channels;
using TokenTally.Core.Alerts;

namespace TokenTally.Application.Tests.Alerts.Channels;

/// <summary>Teams gets the Workflows message envelope with an Adaptive Card the Workflows bot can render.</summary>
public sealed class TeamsWorkflowSenderTests
{
    private static readonly JsonSchema AdaptiveCard14 = JsonSchema.FromFile(
        Path.Combine(AppContext.BaseDirectory, "Alerts", "Channels", "adaptive-card-1.4.0.json"),
        new BuildOptions { Dialect = Dialect.Draft06 });

    private static readonly TeamsWorkflowChannel Channel = new("teams-ops", new SecretRef("teams-ops-url"));

    [Fact]
    public async Task TheWorkflowReceivesOneMessageWithAnAdaptiveCardAttachment()
    {
        var (request, attempt) = await SendAsync();

        Assert.Equal(AttemptResult.Delivered, attempt.Result);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/workflows/7f3a/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t-sig", request.PathAndQuery);
        Assert.StartsWith("application/json", request.Headers.ContentType.ToString(), StringComparison.Ordinal);
        var message = JsonNode.Parse(request.Body)!;
        Assert.Equal("message", (string?)message["type"]);
        var attachment = Assert.Single(message["attachments"]!.AsArray())!;
        Assert.Equal("application/vnd.microsoft.card.adaptive", (string?)attachment["contentType"]);
        Assert.NotNull(attachment["content"]);
    }

    [Fact]
    public async Task TheCardValidatesAgainstTheAdaptiveCard14Schema()
    {
        var (request, _) = await SendAsync();
        var card = JsonNode.Parse(request.Body)!["attachments"]![0]!["content"]!;

        var result = Validate(card);

        Assert.True(result.IsValid, "The card breaks the 1.4 schema: " + string.Join("; ", Errors(result)));
        Assert.Equal("1.4", (string?)card["version"]);
    }

    [Fact]
    public async Task TheCardCarriesTheTitleSeverityFactsInOrderAndTheDashboardLink()
    {
        var notification = Notifications.BudgetCrossed();
        var (request, _) = await SendAsync(notification);
        var card = JsonNode.Parse(request.Body)!["attachments"]![0]!["content"]!;

        var header = card["body"]![0]!;
        Assert.Equal("Container", (string?)header["type"]);
        Assert.Equal("warning", (string?)header["style"]);
        Assert.Equal(notification.Title, (string?)header["items"]![0]!["text"]);
        Assert.Equal("WARNING", (string?)header["items"]![1]!["text"]);
        Assert.Equal("Warning", (string?)header["items"]![1]!["color"]);
        Assert.Equal(notification.Summary, (string?)card["body"]![1]!["text"]);
        var facts = card["body"]![2]!;
        Assert.Equal("FactSet", (string?)facts["type"]);
        Assert.Equal(
            notification.Facts.Select(f => (f.Name, f.Value)),
            facts["facts"]!.AsArray().Select(f => ((string)f!["title"]!, (string)f!["value"]!)));
        var open = Assert.Single(card["actions"]!.AsArray())!;
        Assert.Equal("Action.OpenUrl", (string?)open["type"]);
        Assert.Equal(notification.DashboardLink.AbsoluteUri, (string?)open["url"]);
    }

    [Theory]
    [InlineData(AlertSeverity.Info, "accent", "Accent")]
    [InlineData(AlertSeverity.Critical, "attention", "Attention")]
    public void EachSeverityHasItsOwnStyleAndColour(AlertSeverity severity, string style, string colour)
    {
        var card = TeamsAlertCard.Card(Notifications.BudgetCrossed() with { Severity = severity });

        Assert.Equal(style, (string?)card["body"]![0]!["style"]);
        Assert.Equal(colour, (string?)card["body"]![0]!["items"]![1]!["color"]);
        Assert.True(Validate(card).IsValid);
    }

    [Fact]
    public void TheSchemaCheckRejectsWhatWorkflowsCannotRender()
    {
        // The check must be able to fail: a 1.5 Table and a Teams-only property both break the 1.4 schema.
        var withTable = TeamsAlertCard.Card(Notifications.BudgetCrossed());
        withTable["body"]!.AsArray().Add(new JsonObject { ["type"] = "Table", ["rows"] = new JsonArray() });
        var withUnknownProperty = TeamsAlertCard.Card(Notifications.BudgetCrossed());
        withUnknownProperty["msteams"] = new JsonObject { ["width"] = "Full" };

        Assert.False(Validate(withTable).IsValid);
        Assert.False(Validate(withUnknownProperty).IsValid);
    }

    [Fact]
    public async Task ARejectedPostIsAPermanentFailureThatDoesNotQuoteTheUrl()
    {
        var (_, attempt) = await SendAsync(answer: new ReceiverAnswer(400));

        Assert.Equal(AttemptResult.Permanent, attempt.Result);
        Assert.Equal("HTTP 400 (BadRequest)", attempt.Error);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task ATriggerThatWantsSignedInUsersIsNamedAsTheLikelyCause(int status)
    {
        var (_, attempt) = await SendAsync(answer: new ReceiverAnswer(status));

        Assert.Equal(AttemptResult.Permanent, attempt.Result);
        Assert.Contains("restricted to signed-in users", attempt.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-sig", attempt.Error, StringComparison.Ordinal);
    }

    private static EvaluationResults Validate(JsonNode card)
        => AdaptiveCard14.Evaluate(JsonSerializer.SerializeToElement(card), new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

    private static IEnumerable<string> Errors(EvaluationResults result)
        => (result.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));

    private static async Task<(ReceivedRequest Request, DeliveryAttempt Attempt)> SendAsync(AlertNotification? notification = null, ReceiverAnswer? answer = null)
    {
        await using var teams = await HttpReceiver.StartAsync((_, _) => answer ?? new ReceiverAnswer(202));
        await using var services = ChannelsUnderTest.Create(TimeProvider.System);
        var secrets = ChannelSecrets.None.With(Channel.WebhookUrl, teams.Url("/workflows/7f3a/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s3cr3t-sig").AbsoluteUri);

        var attempt = await services.Sender(ChannelKind.TeamsWorkflow).SendAsync(Channel, secrets, notification ?? Notifications.BudgetCrossed(), TestContext.Current.CancellationToken);

        return (Assert.Single(teams.Requests), attempt);
    }
}
