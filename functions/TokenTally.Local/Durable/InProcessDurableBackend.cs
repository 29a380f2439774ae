using System.Net;
using DurableTask.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;

namespace TokenTally.Local.Durable;

/// <summary>
/// A Durable Task backend inside this process: an orchestration service (in memory unless another is given, such as the
/// Azure Storage one in tests) behind the Durable Task gRPC sidecar on a free loopback port, which the Durable Task worker
/// and client of this process connect to. The only place that knows the sidecar comes from a preview package.
/// </summary>
public sealed class InProcessDurableBackend(IOrchestrationService? service = null) : IHostedService, IAsyncDisposable
{
    private readonly Lock _gate = new();
    private WebApplication? _sidecar;
    private GrpcChannel? _channel;

    /// <summary>The channel to the sidecar, starting it on first use (the worker and client ask before hosted services start).</summary>
    public GrpcChannel Channel
    {
        get
        {
            lock (_gate)
            {
                if (_channel is null)
                {
                    _sidecar = StartSidecar(service ?? new WideInMemoryOrchestrationService(new InMemoryOrchestrationService()));
                    var address = _sidecar.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
                    _channel = GrpcChannel.ForAddress(address);
                }

                return _channel;
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Channel;
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        WebApplication? sidecar;
        lock (_gate)
        {
            (sidecar, _sidecar) = (_sidecar, null);
            _channel?.Dispose();
            _channel = null;
        }

        if (sidecar is not null)
        {
            await sidecar.StopAsync();
            await sidecar.DisposeAsync();
        }
    }

    private static WebApplication StartSidecar(IOrchestrationService orchestrations)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(orchestrations);
        builder.Services.AddSingleton((IOrchestrationServiceClient)orchestrations);
        builder.Services.AddSingleton<TaskHubGrpcServer>();
        var sidecar = builder.Build();
        sidecar.MapGrpcService<TaskHubGrpcServer>();
        sidecar.StartAsync().GetAwaiter().GetResult();
        return sidecar;
    }
}
