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
}
