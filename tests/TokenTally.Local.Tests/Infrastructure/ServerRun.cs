using TokenTally.Testing;

namespace TokenTally.Local.Tests.Infrastructure;

/// <summary>Runs the real server (<c>dotnet TokenTally.Local.dll</c>) until it exits by itself, as a user would see it.</summary>
internal static class ServerRun
{
    public static Task<ProcessExit> UntilExitAsync(string workingDirectory, params string[] arguments) =>
        ProcessRun.UntilExitAsync(
            "dotnet", [ServerBuild.LocalDll, "--contentRoot", Path.GetDirectoryName(ServerBuild.LocalDll)!, .. arguments], workingDirectory, TimeSpan.FromSeconds(90));
}
