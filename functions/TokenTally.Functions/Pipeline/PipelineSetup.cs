using TokenTally.Functions.Invocations;

namespace TokenTally.Functions.Pipeline;

public static class PipelineSetup
{
    public static IServiceCollection AddPipeline(this IServiceCollection services)
    {
        services.AddSingleton<PipelineRunStore>();
        services.AddSingleton<HourlyPipelineRunner>();
        services.AddSingleton<IFunctionHandler, HourlyPipelineFunction>();
        return services;
    }
}
