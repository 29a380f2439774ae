using System.Reflection;
using Microsoft.Extensions.Options;

namespace TokenTally.Functions.Hosting;

/// <summary>The resolved mode and the facts the process was started with.</summary>
public sealed class HostingEnvironment
{
    public const string CustomHandlerPortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public HostingEnvironment(IOptions<TokenTallyOptions> options, IConfiguration configuration)
    {
        CustomHandlerPort = configuration[CustomHandlerPortVariable];
        Mode = options.Value.Mode switch
        {
            HostingMode.Auto => string.IsNullOrEmpty(CustomHandlerPort) ? HostingMode.Local : HostingMode.Functions,
            var explicitMode => explicitMode,
        };
    }

    public HostingMode Mode { get; }

    public string? CustomHandlerPort { get; }

    public bool IsLocal => Mode == HostingMode.Local;

    public string ModeName => IsLocal ? "local" : "functions";

    public static string Version { get; } =
        typeof(HostingEnvironment).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
