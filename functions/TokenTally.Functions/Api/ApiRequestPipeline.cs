using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TokenTally.Application.Hosting;

namespace TokenTally.Functions.Api;

/// <summary>
/// The same middleware and endpoints local mode serves, built once over the worker's services: the isolated worker gives
/// each HTTP function its own route but does not host minimal-API endpoints, so one catch-all function hands every request
/// here.
/// </summary>
public sealed class ApiRequestPipeline
{
    private readonly RequestDelegate _pipeline;

    public ApiRequestPipeline(IServiceProvider services)
    {
        var app = new ApplicationBuilder(services);
        app.UseTokenTallyApi();
        app.UseEndpoints(endpoints => endpoints.MapTokenTallyApi());
        _pipeline = app.Build();
    }

    public Task InvokeAsync(HttpContext context)
    {
        // The worker's own routing chose this function; the API routes the request afresh.
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        return _pipeline(context);
    }
}
