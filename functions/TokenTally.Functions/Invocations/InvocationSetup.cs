namespace TokenTally.Functions.Invocations;

public static class InvocationSetup
{
    /// <summary>The function catalog, the invoker, and the start-up check that every function.json has a handler.</summary>
    public static IServiceCollection AddInvocations(this IServiceCollection services)
    {
        services.AddSingleton<FunctionCatalog>();
        services.AddSingleton<FunctionInvoker>();
        services.AddTransient<IStartupFilter, FunctionCatalogCheck>();
        return services;
    }

    /// <summary>GET /: the host's readiness probe, and a pointer for people.</summary>
    public static IEndpointRouteBuilder MapRoot(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => TypedResults.Ok(new { name = "TokenTally", health = "/api/health" })).ExcludeFromDescription();
        return app;
    }
}
