using Microsoft.Extensions.Hosting;
using TokenTally.Application.Hosting;
using TokenTally.Functions.Hosting;

try
{
    var host = new HostBuilder()
        .ConfigureFunctionsWebApplication()
        .ConfigureServices((context, services) => services.AddTokenTallyFunctions(context.Configuration))
        .Build();
    await host.RunAsync();
    return 0;
}
catch (Exception e) when (StartupErrors.TryDescribe(e, out var problem))
{
    await Console.Error.WriteLineAsync($"TokenTally did not start: {problem}");
    return 1;
}
