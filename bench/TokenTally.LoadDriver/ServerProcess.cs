using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TokenTally.Testing;

namespace TokenTally.LoadDriver;

/// <summary>
/// The real server in local mode (SQLite store, <see cref="LocalServerProcess"/>) with its own temporary data folder and the
/// per-key rate limit raised out of the way. Disposing kills it and removes the folder unless asked to keep it.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly LocalServerProcess _server;
    private readonly bool _keepData;

    private ServerProcess(LocalServerProcess server, bool keepData)
    {
        _server = server;
        _keepData = keepData;
    }

    public Uri BaseAddress => _server.BaseAddress;

    public string DataPath => _server.DataPath;

    /// <summary>CPU time the server has used so far, all threads.</summary>
    public TimeSpan CpuTime => _server.CpuTime;

    /// <summary>Resident and peak resident memory in bytes (Linux /proc; zero elsewhere).</summary>
    public (long Rss, long PeakRss) Memory()
    {
        var status = $"/proc/{_server.ProcessId}/status";
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
        var io = $"/proc/{_server.ProcessId}/io";
        return File.Exists(io) && File.ReadLines(io).FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal)) is { } line
            ? long.Parse(line["wchar:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture)
            : 0;
    }

    public static async Task<ServerProcess> StartAsync(string serverDll, bool keepData, CancellationToken cancellationToken)
    {
        var dataPath = Directory.CreateTempSubdirectory("tokentally-load-").FullName;
        try
        {
            string[] settings = ["--TokenTally:Local:RunScheduler=false", "--TokenTally:Ingestion:RequestsPerSecondPerKey=100000", "--TokenTally:Ingestion:BurstPerKey=100000"];
            return new ServerProcess(await LocalServerProcess.StartAsync(serverDll, dataPath, settings, Path.Combine(dataPath, "server.log"), cancellationToken), keepData);
        }
        catch
        {
            if (!keepData)
            {
                Directory.Delete(dataPath, recursive: true);
            }

            throw;
        }
    }

    /// <summary>A client of the server that presents its admin key.</summary>
    public HttpClient AdminClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(DataPath, "admin-key")).Trim());
        return client;
    }

    /// <summary>Creates a project (with the generator's Azure deployment mapped) and issues it a key; returns the key.</summary>
    public async Task<string> CreateProjectKeyAsync(string tenant, string project, string deployment, string deploymentModel, CancellationToken cancellationToken)
    {
        using var client = AdminClient();

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
            await _server.DisposeAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"Could not stop the server (pid {_server.ProcessId}): {e.Message}");
        }

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

    private static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Could not {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }
}
