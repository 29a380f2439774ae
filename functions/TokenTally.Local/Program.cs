using TokenTally.Application.Hosting;
using TokenTally.Local;

try
{
    await using var app = LocalHost.Build(args);
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupErrors.TryDescribe(e, out var problem))
{
    await Console.Error.WriteLineAsync($"TokenTally did not start: {problem}");
    return 1;
}
