using System.Globalization;

namespace TokenTally.Testing;

/// <summary>
/// Azurite (Blob, Queue and Table emulator) from node_modules on free loopback ports, in memory,
/// shared by every test that needs it: declare <c>[assembly: AssemblyFixture(typeof(AzuriteFixture))]</c>
/// in the test project and take it as a constructor parameter. When Azurite cannot start, only the
/// tests that use an endpoint fail (with Azurite's output); the assembly's other tests still run.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string AccountName = "devstoreaccount1";

    /// <summary>The development account's published key; not a secret.</summary>
    public const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private NodeService? _service;
    private Exception? _startFailure;
    private Uri? _blobServiceUri;
    private Uri? _queueServiceUri;
    private Uri? _tableServiceUri;

    /// <summary>http://127.0.0.1:&lt;port&gt;/devstoreaccount1</summary>
    public Uri BlobServiceUri => Started(_blobServiceUri);

    /// <summary>http://127.0.0.1:&lt;port&gt;/devstoreaccount1</summary>
    public Uri QueueServiceUri => Started(_queueServiceUri);

    /// <summary>http://127.0.0.1:&lt;port&gt;/devstoreaccount1</summary>
    public Uri TableServiceUri => Started(_tableServiceUri);

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName={AccountName};AccountKey={AccountKey};BlobEndpoint={BlobServiceUri};QueueEndpoint={QueueServiceUri};TableEndpoint={TableServiceUri}";

    /// <summary>What Azurite printed so far, for failure messages.</summary>
    public string Output => _service?.Output ?? "";

    public async ValueTask InitializeAsync()
    {
        var ports = new List<int>();
        while (ports.Count < 3)
        {
            if (LoopbackPorts.Free() is var port && !ports.Contains(port))
            {
                ports.Add(port);
            }
        }

        var (blobPort, queuePort, tablePort) = (ports[0], ports[1], ports[2]);
        try
        {
            // --inMemoryPersistence cannot be combined with --location; nothing is written to disk.
            _service = await NodeService.StartAsync(
                "azurite/dist/src/azurite.js",
                [
                    "--silent", "--inMemoryPersistence", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
                    "--blobHost", "127.0.0.1", "--blobPort", Port(blobPort),
                    "--queueHost", "127.0.0.1", "--queuePort", Port(queuePort),
                    "--tableHost", "127.0.0.1", "--tablePort", Port(tablePort),
                ],
                [blobPort, queuePort, tablePort],
                "Azurite");
        }
        catch (InvalidOperationException e)
        {
            _startFailure = e;
            return;
        }

        _blobServiceUri = AccountUri(blobPort);
        _queueServiceUri = AccountUri(queuePort);
        _tableServiceUri = AccountUri(tablePort);
    }

    public async ValueTask DisposeAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }
    }

    private Uri Started(Uri? uri) =>
        uri ?? throw new InvalidOperationException("Azurite is not running: " + (_startFailure?.Message ?? "the fixture was not initialized."), _startFailure);

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    private static Uri AccountUri(int port) => new($"http://127.0.0.1:{Port(port)}/{AccountName}");
}
