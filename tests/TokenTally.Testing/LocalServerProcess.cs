using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace TokenTally.Testing;

/// <summary>
/// The real server in local mode as a child process, started as <c>run.sh</c> starts it (<c>dotnet TokenTally.Local.dll</c>,
/// content root its build output, working directory the repository) on a free loopback port, with its data in a folder the
/// caller owns, so another process can start on the same data after this one is killed. It keeps the last lines of the
/// server's output for failure messages and, when given a log file, writes all of them there. Disposing kills it.
/// </summary>
public sealed class LocalServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private const int OutputLinesKept = 200;

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly StreamWriter? _log;

    private LocalServerProcess(Process process, string dataPath, Uri baseAddress, StreamWriter? log)
    {
        _process = process;
        DataPath = dataPath;
        BaseAddress = baseAddress;
        _log = log;
    }

    public Uri BaseAddress { get; }

    public string DataPath { get; }

    public int ProcessId => _process.Id;

    /// <summary>CPU time the server has used so far, all threads.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The last lines the server wrote to stdout and stderr.</summary>
    public string OutputTail => string.Join(Environment.NewLine, _output);

    /// <summary>Starts <paramref name="serverDll"/> on <paramref name="dataPath"/> and waits until /api/health answers and the admin key file exists.</summary>
    /// <param name="serverDll">Local mode's TokenTally.Local.dll.</param>
    /// <param name="dataPath">The data folder (created by the server when missing).</param>
    /// <param name="settings">Further command-line settings, such as <c>--TokenTally:Local:RunScheduler=false</c>.</param>
    /// <param name="logPath">A file to write the whole output to; null keeps only the last lines.</param>
    /// <param name="cancellationToken">Stops waiting for the server.</param>
    /// <param name="port">The loopback port; a free one when null.</param>
    /// <param name="workingDirectory">The server's working directory; the repository when null.</param>
    public static async Task<LocalServerProcess> StartAsync(string serverDll, string dataPath, IEnumerable<string> settings, string? logPath, CancellationToken cancellationToken, int? port = null, string? workingDirectory = null)
    {
        port ??= LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory ?? RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { serverDll, "--contentRoot", Path.GetDirectoryName(serverDll)!, $"--TokenTally:Local:Port={port}", $"--TokenTally:Local:DataPath={dataPath}" }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        var log = logPath is null ? null : new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var server = new LocalServerProcess(process, dataPath, new Uri($"http://127.0.0.1:{port}/"), log);
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
            if (_log is not null)
            {
                lock (_log)
                {
                    _log.Dispose();
                }
            }
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_log is not null)
        {
            lock (_log)
            {
                // Lines arriving after disposal are dropped.
                if (_log.BaseStream is not null)
                {
                    _log.WriteLine(line);
                }
            }
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

}
