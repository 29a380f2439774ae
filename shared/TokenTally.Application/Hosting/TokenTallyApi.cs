using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Rules;
using TokenTally.Application.Anomalies;
using TokenTally.Application.Budgets;
using TokenTally.Application.Budgets.Status;
using TokenTally.Application.Calls;
using TokenTally.Application.Costs;
using TokenTally.Application.Forecasts;
using TokenTally.Application.Health;
using TokenTally.Application.Ingestion;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;

namespace TokenTally.Application.Hosting;

/// <summary>The HTTP API, defined once: local mode maps it on its web app, the Functions app hands every request to it.</summary>
public static class TokenTallyApi
{
    /// <summary>The middleware in front of the endpoints, in order.</summary>
    public static IApplicationBuilder UseTokenTallyApi(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        return app;
    }

    /// <summary>Every endpoint of <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapTokenTallyApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthApi();
        app.MapProjectsApi();
        app.MapPricesApi();
        app.MapIngestionApi();
        app.MapCallsApi();
        app.MapCostsApi();
        app.MapChannelsApi();
        app.MapBudgetsApi();
        app.MapBudgetStatusApi();
        app.MapAlertsApi();
        app.MapAlertRulesApi();
        app.MapAnomaliesApi();
        app.MapForecastsApi();
        app.MapPipelineApi();
        app.MapTokenTallyOpenApi();
        return app;
    }
}
