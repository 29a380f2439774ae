using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;

namespace TokenTally.Functions.Hosting;

public static class HostingSetup
{
    /// <summary>Binds the options, resolves the mode, and listens on loopback: the host's port in functions mode, TokenTally:Local:Port otherwise.</summary>
    public static WebApplicationBuilder AddHosting(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TokenTallyOptions>().BindConfiguration(TokenTallyOptions.Section).ValidateOnStart();
        services.AddOptions<LocalOptions>().BindConfiguration(LocalOptions.Section).ValidateOnStart();
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.Section).ValidateOnStart();
        services.AddOptions<StorageAccountOptions>().BindConfiguration(StorageAccountOptions.Section).ValidateOnStart();
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateOnStart();
        services.AddOptions<FunctionsOptions>().BindConfiguration(FunctionsOptions.Section);
        services.AddOptions<PipelineOptions>().BindConfiguration(PipelineOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LocalOptions>, LocalOptionsValidator>();
        services.AddSingleton<IValidateOptions<CosmosOptions>, CosmosOptionsValidator>();
        services.AddSingleton<IValidateOptions<StorageAccountOptions>, StorageAccountOptionsValidator>();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();
        services.AddSingleton<IValidateOptions<PipelineOptions>, PipelineOptionsValidator>();
        services.AddSingleton<HostingEnvironment>();
        services.AddSingleton(TimeProvider.System);
        services.AddProblemDetails();

        // Enums travel as names ("chat", "succeeded"), never as numbers.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var mode = context.Configuration.GetValue(TokenTallyOptions.Section + ":Mode", HostingMode.Auto);
            var hostPort = context.Configuration[HostingEnvironment.CustomHandlerPortVariable];
            var functions = mode == HostingMode.Functions || (mode == HostingMode.Auto && !string.IsNullOrEmpty(hostPort));
            int port;
            if (functions)
            {
                port = int.Parse(hostPort ?? throw new InvalidOperationException($"functions mode needs {HostingEnvironment.CustomHandlerPortVariable}, which the Functions host sets."), CultureInfo.InvariantCulture);
            }
            else
            {
                // Kestrel is configured before options are validated, so check the local settings here first.
                var local = context.Configuration.GetSection(LocalOptions.Section).Get<LocalOptions>() ?? new LocalOptions();
                var validation = new LocalOptionsValidator().Validate(null, local);
                if (validation.Failed)
                {
                    throw new OptionsValidationException(Options.DefaultName, typeof(LocalOptions), validation.Failures);
                }

                port = local.Port;
            }

            kestrel.Listen(IPAddress.Loopback, port);
        });
        return builder;
    }

    /// <summary>GET /: the host's readiness probe (any answer will do), and a pointer for people.</summary>
    public static IEndpointRouteBuilder MapRoot(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Ok(new { name = "TokenTally", health = "/api/health" })).ExcludeFromDescription();
        return app;
    }

    /// <summary>In local mode, the app settings of local.settings.json (Values) are read too, as the Functions host would.</summary>
    public static WebApplicationBuilder AddLocalSettingsFile(this WebApplicationBuilder builder)
    {
        var path = Path.Combine(Directory.GetCurrentDirectory(), "local.settings.json");
        if (File.Exists(path) && string.IsNullOrEmpty(builder.Configuration[HostingEnvironment.CustomHandlerPortVariable]))
        {
            var values = new ConfigurationBuilder().AddJsonFile(path, optional: true).Build().GetSection("Values");
            var settings = values.GetChildren()
                .Where(setting => setting.Value is not null)
                .Select(setting => KeyValuePair.Create(setting.Key.Replace("__", ":", StringComparison.Ordinal), setting.Value));

            // Below environment variables and arguments, so those still win, as with the Functions host.
            var sources = builder.Configuration.Sources;
            var firstEnvironmentSource = sources.ToList().FindIndex(s => s is Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource);
            sources.Insert(firstEnvironmentSource < 0 ? sources.Count : firstEnvironmentSource, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource { InitialData = settings.ToList() });
        }

        return builder;
    }
}
