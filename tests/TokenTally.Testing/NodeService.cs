using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TokenTally.Testing;

/// <summary>
/// A Node.js service from the repository's node_modules (Azurite, the Cosmos test server) started on
/// free loopback ports and stopped with the fixture. Its output is kept for failure messages.
/// </summary>
public sealed class NodeService : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private NodeService(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <c>node node_modules/&lt;script&gt; args</c> and waits until every port in <paramref name="readyPorts"/> accepts connections.</summary>
    public static async Task<NodeService> StartAsync(string script, IEnumerable<string> args, IReadOnlyList<int> readyPorts, string name)
    {
        var scriptPath = Path.Combine(RepositoryPaths.NodeModules, script);
        if (!File.Exists(scriptPath))
        {
            throw new InvalidOperationException($"{name} is not installed ({scriptPath} is missing). Run ./test.sh, which installs node_modules from package-lock.json.");
        }

        var info = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(scriptPath);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        var service = new NodeService(process);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        foreach (var port in readyPorts)
        {
            while (!await IsListeningAsync(port))
            {
                if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    var output = service.Output;
                    await service.DisposeAsync();
                    throw new InvalidOperationException($"{name} did not start listening on 127.0.0.1:{port}. Output:\n{output}");
                }

                await Task.Delay(100);
            }
        }

        return service;
    }


    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
