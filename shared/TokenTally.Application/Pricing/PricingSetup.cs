namespace TokenTally.Application.Pricing;

public static class PricingSetup
{
    public static IServiceCollection AddPricing(this IServiceCollection services)
    {
        services.AddSingleton<CallPricer>();
        services.AddSingleton<UnpricedCounter>();
        services.AddSingleton<RepriceService>();
        return services;
    }
}
