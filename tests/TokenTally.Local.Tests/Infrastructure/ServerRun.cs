using System.Diagnostics;

namespace TokenTally.Local.Tests.Infrastructure;

/// <summary>What a server process that ended wrote, and how it ended.</summary>
internal sealed record ServerExit(int ExitCode, string StandardOutput, string StandardError)
{
    public IReadOnlyList<string> ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}";
}

/// <summary>Runs the real server (<c>dotnet TokenTally.Local.dll</c>) until it exits by itself, as a user would see it.</summary>
internal static class ServerRun
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public static async Task<ServerExit> UntilExitAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { ServerBuild.LocalDll, "--contentRoot", Path.GetDirectoryName(ServerBuild.LocalDll)! }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The server still ran after {Patience.TotalSeconds:0} s with {string.Join(' ', arguments)}; it should have stopped.");
        }

        return new ServerExit(process.ExitCode, await output, await error);
    }
}
