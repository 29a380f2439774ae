namespace TokenTally.Application.Rollups;

public static class RollupsSetup
{
    public static IServiceCollection AddRollups(this IServiceCollection services)
    {
        services.AddOptions<RollupOptions>().BindConfiguration(RollupOptions.Section)
            .Validate(o => o.TopUsersPerHour >= 1, "TokenTally:Rollups:TopUsersPerHour must be at least 1.")
            .ValidateOnStart();
        services.AddSingleton<RollupStore>();
        services.AddSingleton<HourRollupService>();
        return services;
    }
}
