using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using TokenTally.Application.Health;
using TokenTally.Application.Hosting;
using TokenTally.Application.SignIn;
using TokenTally.Functions.Alerts;
using TokenTally.Functions.Api;
using TokenTally.Functions.Ingestion.Lag;

namespace TokenTally.Functions.Hosting;

public static class FunctionsSetup
{
    /// <summary>
    /// The Functions app's composition: the application on Azure storage, the API behind the catch-all HTTP function with
    /// sign-in through App Service authentication beside the keys, and telemetry where <paramref name="configuration"/> sends it.
    /// </summary>
    public static IServiceCollection AddTokenTallyFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddTokenTallyApplication();
        services.AddAppServiceSignIn();
        services.AddFunctionsTelemetry(configuration);
        services.AddSingleton(new HostInfo("functions"));
        services.AddAzureStores();
        services.AddChannelSecretsInKeyVault(configuration);
        services.AddIntakeLag();
        services.AddSingleton<ApiRequestPipeline>();

        // The Durable client comes with each invocation ([DurableClient]); the API function hands it to the endpoints here.
        services.AddScoped<InvocationDurableClient>();
        services.AddScoped<DurableTaskClient>(sp => sp.GetRequiredService<InvocationDurableClient>().Client
            ?? throw new InvalidOperationException("No Durable Task client: endpoints that need one run through the Api function, which sets it."));
        return services;
    }
}

/// <summary>The Durable Task client of the current invocation.</summary>
internal sealed class InvocationDurableClient
{
    public DurableTaskClient? Client { get; set; }
}
