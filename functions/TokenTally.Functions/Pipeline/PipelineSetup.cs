using TokenTally.Functions.Invocations;

namespace TokenTally.Functions.Pipeline;

public static class PipelineSetup
{
    public static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.AddSingleton<PipelineRunStore>();
        services.AddSingleton<HourlyPipelineRunner>();
        services.AddSingleton<IFunctionHandler, HourlyPipelineFunction>();
        services.AddSingleton<IFunctionHandler, PipelineWorkerFunction>();
        services.AddSingleton<RollupStore>();
        services.AddSingleton<RepriceService>();
        services.AddSingleton<RollupStep>();
        services.AddSingleton<IPipelineStep>(sp => sp.GetRequiredService<RollupStep>());
        services.AddSingleton<IPipelineStep, ArchiveStep>();
        services.AddSingleton<Costs.CostQuery>();
        return services;
    }
}
