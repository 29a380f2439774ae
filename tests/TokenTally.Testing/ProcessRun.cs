using System.Diagnostics;

namespace TokenTally.Testing;

/// <summary>What a process that ended wrote, and how it ended.</summary>
public sealed record ProcessExit(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, standard output first.</summary>
    public string Output => StandardOutput + StandardError;

    public IReadOnlyList<string> ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit code {ExitCode}{Environment.NewLine}stderr:{Environment.NewLine}{StandardError}{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}";
}

public static class ProcessRun
{
    /// <summary>
    /// Runs a command until it exits by itself, as a user would see it; past <paramref name="patience"/> it is killed with
    /// its children and the test fails.
    /// </summary>
    public static async Task<ProcessExit> UntilExitAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan patience, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"{fileName} {string.Join(' ', start.ArgumentList)} still ran after {patience.TotalSeconds:0} s; killed.{Environment.NewLine}{await error}{await output}");
        }

        return new ProcessExit(process.ExitCode, await output, await error);
    }
}
