namespace TokenTally.Application.Calls;

public static class CallsSetup
{
    /// <summary>The call ledger and its changed-hour marks.</summary>
    public static IServiceCollection AddCalls(this IServiceCollection services)
    {
        services.AddOptions<LedgerOptions>().BindConfiguration(LedgerOptions.Section)
            .Validate(o => o.RetentionDays is > 0 and <= 3650, "TokenTally:Ledger:RetentionDays must be 1-3650.")
            .ValidateOnStart();
        services.AddSingleton<ChangedHours>();
        services.AddSingleton<CallRecordStore>();
        return services;
    }
}
