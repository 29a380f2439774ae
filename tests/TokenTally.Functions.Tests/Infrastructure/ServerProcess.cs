using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using TokenTally.Testing;

namespace TokenTally.Functions.Tests.Infrastructure;

/// <summary>
/// The real server in local mode as a child process (<c>dotnet TokenTally.Functions.dll</c>) on a free loopback port,
/// keeping its data in a folder the caller owns, so a second process can start on the same data after this one is killed.
/// Disposing kills the process if it still runs; the data folder is left to its owner.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private const int OutputLinesKept = 200;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, string dataPath, Uri baseAddress)
    {
        _process = process;
        DataPath = dataPath;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string DataPath { get; }

    /// <summary>The last lines the server wrote to stdout and stderr, for failure messages.</summary>
    public string OutputTail => string.Join(Environment.NewLine, _output);

    /// <summary>Starts the server on <paramref name="dataPath"/> and waits until /api/health answers and the admin key file exists.</summary>
    public static async Task<ServerProcess> StartAsync(string dataPath, IEnumerable<string> settings, CancellationToken cancellationToken)
    {
        var port = FreeLoopbackPort();
        var serverDll = Path.Combine(AppContext.BaseDirectory, "TokenTally.Functions.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            // As run.sh starts it: appsettings.json from the build output, functions/ (the function.json folders) from the repository.
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { serverDll, "--contentRoot", AppContext.BaseDirectory, $"--TokenTally:Local:Port={port}", $"--TokenTally:Local:DataPath={dataPath}" }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new ServerProcess(process, dataPath, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilHealthyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Kills the process and its children with SIGKILL (no shutdown hooks run) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.Kill(entireProcessTree: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var adminKey = Path.Combine(DataPath, "admin-key");
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} while starting:{Environment.NewLine}{OutputTail}");
            }

            try
            {
                using var response = await client.GetAsync("api/health", cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK && File.Exists(adminKey))
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A slow first answer; ask again.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"The server did not answer /api/health within {StartTimeout.TotalSeconds:0} s:{Environment.NewLine}{OutputTail}");
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
