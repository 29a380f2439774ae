using System.Diagnostics;
using System.Text;
using System.Text.Json;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>
/// The Functions app as <c>dotnet publish</c> lays it out for the host (functions.metadata, worker.config.json,
/// extensions.json, .azurefunctions/, host.json), published once for the assembly into a temporary folder. The build is
/// done by the time tests run, so this mostly copies. When the publish fails, the tests that read it fail with its output.
/// </summary>
public sealed class PublishedApp : IAsyncLifetime
{
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(10);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "tokentally-publish-" + Guid.NewGuid().ToString("N")[..8]);
    private string? _failure;

    /// <summary>The publish folder.</summary>
    public string Folder => _failure is null ? _folder : throw new InvalidOperationException(_failure);

    public async ValueTask InitializeAsync()
    {
        var result = await Command.RunAsync(
            "dotnet", ["publish", "functions/TokenTally.Functions", "-c", "Release", "-o", _folder, "-nologo"], PublishTimeout);
        if (result.ExitCode != 0)
        {
            _failure = $"dotnet publish exited with {result.ExitCode}:{Environment.NewLine}{result.Output}";
        }
    }

    public JsonElement ReadJson(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, file)));
        return document.RootElement.Clone();
    }

    public ValueTask DisposeAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>What a command printed (stdout and stderr interleaved) and its exit code.</summary>
public sealed record CommandResult(int ExitCode, string Output);

public static class Command
{
    /// <summary>Runs a command in the repository root; past <paramref name="timeout"/> it is killed with its children and the run fails.</summary>
    public static async Task<CommandResult> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryPaths.Root,
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

        var output = new StringBuilder();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            return new CommandResult(-1, $"{fileName} did not finish within {timeout}; killed. Its output:{Environment.NewLine}{Text()}");
        }

        return new CommandResult(process.ExitCode, Text());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }
}
