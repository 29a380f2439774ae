using Microsoft.DurableTask.Client.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;
using TokenTally.Application.Pipeline;

namespace TokenTally.Local.Durable;

public static class LocalDurableSetup
{
    /// <summary>A Durable Task worker running the pipeline's orchestrations, and a client, both on the in-process backend.</summary>
    public static IServiceCollection AddInProcessDurableTask(this IServiceCollection services)
    {
        services.AddSingleton(_ => new InProcessDurableBackend());
        services.AddHostedService(sp => sp.GetRequiredService<InProcessDurableBackend>());
        services.AddDurableTaskWorker(builder =>
        {
            builder.UseGrpc();
            builder.AddTasks(PipelineTasks.Register);
        });
        services.AddDurableTaskClient(builder => builder.UseGrpc());
        services.AddOptions<GrpcDurableTaskWorkerOptions>(Options.DefaultName).Configure<InProcessDurableBackend>((o, backend) => o.Channel = backend.Channel);
        services.AddOptions<GrpcDurableTaskClientOptions>(Options.DefaultName).Configure<InProcessDurableBackend>((o, backend) => o.Channel = backend.Channel);
        return services;
    }
}
