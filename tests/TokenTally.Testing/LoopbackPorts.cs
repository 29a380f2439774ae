using System.Net;
using System.Net.Sockets;

namespace TokenTally.Testing;

public static class LoopbackPorts
{
    /// <summary>A loopback port the OS has just handed out as free (far less likely to be taken than a random one).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
