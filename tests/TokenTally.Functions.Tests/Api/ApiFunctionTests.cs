using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Api;

/// <summary>
/// The Api function invoked as the worker invokes it: a real HttpContext whose services are the invocation's scope of the
/// worker's composition. The whole API suite runs through this function elsewhere (TokenTally.Application.Tests); these
/// check the function's own part: that it serves the API, and answers what the API does not know as problem details.
/// </summary>
public sealed class ApiFunctionTests(CosmosTestServerFixture cosmos, AzuriteFixture azurite) : IAsyncLifetime
{
    private WorkerApp _app = null!;

    public async ValueTask InitializeAsync() => _app = await WorkerApp.StartAsync(cosmos, azurite);

    [Fact]
    public async Task HealthAnswersThatTheStoreAndTheArchiveAreReachable()
    {
        var (status, contentType, body) = await InvokeAsync("GET", "/api/health");

        Assert.Equal(StatusCodes.Status200OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AnUnknownRouteAnswers404AsProblemDetails()
    {
        var (status, contentType, body) = await InvokeAsync("GET", "/api/v1/no-such-thing");

        Assert.Equal(StatusCodes.Status404NotFound, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal(404, body.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task APostWithoutABodyAnswers400NamingTheMissingBody()
    {
        var (status, contentType, body) = await InvokeAsync("POST", "/api/v1/admin/projects", request =>
        {
            request.Headers.Authorization = "Bearer " + _app.AdminKey;
            request.ContentType = "application/json";
        });

        Assert.Equal(StatusCodes.Status400BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.NotEmpty(body.GetProperty("errors").GetProperty("body").EnumerateArray());
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<(int Status, string? ContentType, JsonElement Body)> InvokeAsync(string method, string path, Action<HttpRequest>? arrange = null)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var context = ApiFunctionHandler.NewContext(scope.ServiceProvider, method, path);
        arrange?.Invoke(context.Request);

        await ApiFunctionHandler.InvokeAsync(context, _app.DurableClient);

        context.Response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(context.Response.Body, cancellationToken: TestContext.Current.CancellationToken);
        return (context.Response.StatusCode, context.Response.ContentType?.Split(';')[0], body.RootElement.Clone());
    }
}
