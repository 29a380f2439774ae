using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using TokenTally.Functions.Hosting;

namespace TokenTally.Functions.Api;

/// <summary>Every request under <c>/api</c> (the host's route prefix), served by the API local mode serves too.</summary>
public sealed class ApiFunction(ApiRequestPipeline pipeline)
{
    public const string Name = "Api";

    [Function(Name)]
    public Task RunAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "{*path}")] HttpRequest request,
        [DurableClient] DurableTaskClient durableClient)
    {
        request.HttpContext.RequestServices.GetRequiredService<InvocationDurableClient>().Client = durableClient;
        return pipeline.InvokeAsync(request.HttpContext);
    }
}
