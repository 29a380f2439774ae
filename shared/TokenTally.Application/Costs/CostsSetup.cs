namespace TokenTally.Application.Costs;

public static class CostsSetup
{
    public static IServiceCollection AddCosts(this IServiceCollection services) => services.AddSingleton<CostQuery>();
}
