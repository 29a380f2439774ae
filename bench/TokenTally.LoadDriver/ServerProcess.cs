using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace TokenTally.LoadDriver;

/// <summary>
/// The real server in local mode (SQLite store) as a child process on a free loopback port, with its own temporary
/// data folder. Disposing kills it (and anything it started) and removes the folder unless asked to keep it.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly LineLog _log;
    private readonly bool _keepData;

    private ServerProcess(Process process, LineLog log, string dataPath, Uri baseAddress, bool keepData)
    {
        _process = process;
        _log = log;
        DataPath = dataPath;
        BaseAddress = baseAddress;
        _keepData = keepData;
    }

    public Uri BaseAddress { get; }

    public string DataPath { get; }

    public string LogPath => Path.Combine(DataPath, "server.log");

    /// <summary>CPU time the server has used so far, all threads.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Resident and peak resident memory in bytes (Linux /proc; zero elsewhere).</summary>
    public (long Rss, long PeakRss) Memory()
    {
        var status = $"/proc/{_process.Id}/status";
        if (!File.Exists(status))
        {
            return (0, 0);
        }

        long Field(string name) => File.ReadLines(status).FirstOrDefault(l => l.StartsWith(name, StringComparison.Ordinal)) is { } line
            ? long.Parse(line[name.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024
            : 0;
        return (Field("VmRSS:"), Field("VmHWM:"));
    }

    /// <summary>Bytes the server has written through system calls so far (Linux /proc wchar: files and sockets; zero elsewhere).</summary>
    public long WrittenBytes()
    {
        var io = $"/proc/{_process.Id}/io";
        return File.Exists(io) && File.ReadLines(io).FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line["wchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : 0;
    }

    public static async Task<ServerProcess> StartAsync(string repositoryRoot, string serverDll, bool keepData, CancellationToken cancellationToken)
    {
        var port = FreePort();
        var dataPath = Directory.CreateTempSubdirectory("tokentally-load-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            serverDll,

            // As run.sh starts it: settings (appsettings.json) from the build output, data and functions/ from the repository.
            "--contentRoot",
            Path.GetDirectoryName(serverDll)!,
            $"--TokenTally:Local:Port={port}",
            $"--TokenTally:Local:DataPath={dataPath}",
            "--TokenTally:Local:RunScheduler=false",
            "--TokenTally:Ingestion:RequestsPerSecondPerKey=100000",
            "--TokenTally:Ingestion:BurstPerKey=100000",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new LineLog(Path.Combine(dataPath, "server.log"));
        process.OutputDataReceived += (_, e) => log.Write(e.Data);
        process.ErrorDataReceived += (_, e) => log.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, log, dataPath, new Uri($"http://127.0.0.1:{port}/"), keepData);
        try
        {
            await server.WaitHealthyAsync(cancellationToken);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Creates a project (with the generator's Azure deployment mapped) and issues it a key; returns the key.</summary>
    public async Task<string> CreateProjectKeyAsync(string tenant, string project, string deployment, string deploymentModel, CancellationToken cancellationToken)
    {
        var adminKeyPath = Path.Combine(DataPath, "admin-key");
        var adminKey = (await File.ReadAllTextAsync(adminKeyPath, cancellationToken)).Trim();
        using var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", adminKey);

        using var created = await client.PostAsJsonAsync(
            "api/v1/admin/projects", new { tenant, project, azureDeployments = new Dictionary<string, string> { [deployment] = deploymentModel } }, cancellationToken);
        await EnsureAsync(created, "create the project", cancellationToken);

        using var issued = await client.PostAsJsonAsync($"api/v1/admin/projects/{tenant}/{project}/keys", new { name = "load-driver" }, cancellationToken);
        await EnsureAsync(issued, "issue a key", cancellationToken);
        var body = await issued.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return (string?)body?["key"] ?? throw new InvalidOperationException($"The key answer has no 'key': {body}");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await _process.WaitForExitAsync(timeout.Token);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"Could not stop the server (pid {_process.Id}): {e.Message}");
        }

        _process.Dispose();
        _log.Dispose();
        if (!_keepData)
        {
            try
            {
                Directory.Delete(DataPath, recursive: true);
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"Could not remove {DataPath}: {e.Message}");
            }
        }
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        var adminKey = Path.Combine(DataPath, "admin-key");
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server exited with code {_process.ExitCode} while starting; see {LogPath}.");
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
                // A slow first answer; try again.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException($"The server did not answer /api/health within {StartTimeout.TotalSeconds:0} s; see {LogPath}.");
    }

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The server's output, kept in its data folder; lines arriving after disposal are dropped.</summary>
    private sealed class LineLog(string path) : IDisposable
    {
        private readonly StreamWriter _writer = new(path) { AutoFlush = true };
        private bool _closed;

        public void Write(string? line)
        {
            lock (_writer)
            {
                if (line is not null && !_closed)
                {
                    _writer.WriteLine(line);
                }
            }
        }

        public void Dispose()
        {
            lock (_writer)
            {
                _closed = true;
                _writer.Dispose();
            }
        }
    }
}
