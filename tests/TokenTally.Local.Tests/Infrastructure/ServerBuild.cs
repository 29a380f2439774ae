using System.Reflection;
using TokenTally.Testing;

namespace TokenTally.Local.Tests.Infrastructure;

/// <summary>The real server, as <c>run.sh</c> starts it: local mode's dll of the configuration these tests were built in.</summary>
internal static class ServerBuild
{
    private static readonly string Configuration =
        typeof(ServerBuild).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    /// <summary>TokenTally.Local.dll; this project references it, so it is built with the tests.</summary>
    public static string LocalDll { get; } = RepositoryPaths.LocalServerDll(Configuration);
}
