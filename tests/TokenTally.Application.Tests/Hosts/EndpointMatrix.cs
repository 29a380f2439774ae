using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;

namespace TokenTally.Application.Tests.Hosts;

/// <summary>What the access matrices (keys × endpoints, app roles × endpoints) share: the API's routes, and the judging of one answer.</summary>
internal static class EndpointMatrix
{
    /// <summary>Every route of the API as <c>METHOD /template</c>, as local mode maps it.</summary>
    public static async Task<IReadOnlyList<string>> RoutesAsync()
    {
        await using var local = await LocalApiHost.StartAsync();
        return local.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText != "/")
            .Select(e => $"{e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Single()} {e.RoutePattern.RawText}")
            .ToList();
    }

    /// <summary>Adds a failure to <paramref name="failures"/> when the answer's status differs, or it shows what it should not.</summary>
    public static async Task JudgeAsync(HttpResponseMessage response, string request, HttpStatusCode status, Func<JsonElement, bool>? shows, List<string> failures)
    {
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (response.StatusCode != status)
        {
            failures.Add($"{request}: {(int)response.StatusCode}, expected {(int)status}: {text[..Math.Min(300, text.Length)]}");
        }
        else if (shows is not null && !shows(JsonDocument.Parse(text).RootElement))
        {
            failures.Add($"{request}: showed what it should not: {text[..Math.Min(500, text.Length)]}");
        }
    }
}
