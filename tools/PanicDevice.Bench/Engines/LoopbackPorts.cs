using System.Net;
using System.Net.Sockets;

namespace PanicDevice.Bench.Engines;

/// <summary>Ports for the receivers, brokers and HTTP servers that benchmarks and tests start on loopback.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// A loopback port free a moment ago. Another process can take it before the caller binds it; the helpers that start
    /// external programs retry with a new one when that happens (LocalMosquitto, the tests' StartMosquitto).
    /// </summary>
    public static int Free()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int p = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return p;
    }
}
