namespace TokenTally.Application.Forecasts;

public static class ForecastsSetup
{
    /// <summary>The forecasts of the tenants' spend: their store, the hour run's update and the series it reads.</summary>
    public static IServiceCollection AddForecasts(this IServiceCollection services)
    {
        services.AddSingleton<ForecastStore>();
        services.AddSingleton<HourlyCostSeries>();
        services.AddSingleton<ForecastUpdate>();
        return services;
    }
}
