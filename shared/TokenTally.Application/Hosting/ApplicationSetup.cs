using Microsoft.Extensions.DependencyInjection.Extensions;
using TokenTally.Application.Alerts;
using TokenTally.Application.Alerts.Rules;
using TokenTally.Application.Anomalies;
using TokenTally.Application.Budgets;
using TokenTally.Application.Calls;
using TokenTally.Application.Costs;
using TokenTally.Application.Forecasts;
using TokenTally.Application.Health;
using TokenTally.Application.Ingestion;
using TokenTally.Application.Json;
using TokenTally.Application.Pipeline;
using TokenTally.Application.Pricing;
using TokenTally.Application.Projects;
using TokenTally.Application.Rollups;
using TokenTally.Application.Telemetry;

namespace TokenTally.Application.Hosting;

public static class ApplicationSetup
{
    /// <summary>
    /// Everything both hosts share: the features, their options (validated at start-up), one JSON configuration, problem
    /// details for every error. The host adds its storage adapters, its Durable Task client and worker, and its <see cref="HostInfo"/>.
    /// </summary>
    public static IServiceCollection AddTokenTallyApplication(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestProblems>();

        // Binding failures reach BadRequestProblems, which names the field, instead of ending as a bare 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(json => TokenTallyJson.Configure(json.SerializerOptions));
        services.AddRouting();
        services.AddTokenTallyOpenApi();
        services.AddTokenTallyTelemetry();
        services.AddProjects();
        services.AddCalls();
        services.AddPricing();
        services.AddIngestion();
        services.AddRollups();
        services.AddCosts();
        services.AddChannels();
        services.AddBudgets();
        services.AddAlerts();
        services.AddAlertRules();
        services.AddAnomalies();
        services.AddForecasts();
        services.AddPipeline();
        services.AddHealth();
        return services;
    }
}
