namespace TokenTally.Application.Anomalies;

public static class AnomaliesSetup
{
    /// <summary>Anomalies: the series the hourly scan reads, the scan and its store, and the contributors of cost anomalies.</summary>
    public static IServiceCollection AddAnomalies(this IServiceCollection services)
    {
        services.AddSingleton<AnomalyStore>();
        services.AddSingleton<TenantSeriesReader>();
        services.AddSingleton<AnomalyContributors>();
        services.AddSingleton<AnomalyScanner>();
        return services;
    }
}
