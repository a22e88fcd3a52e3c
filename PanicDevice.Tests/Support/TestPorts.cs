using System.Net;
using System.Net.Sockets;

namespace PanicDevice.Tests.Support;

/// <summary>Ports for the tests' receivers, brokers and HTTP servers.</summary>
public static class TestPorts
{
    /// <summary>
    /// A loopback port free a moment ago. Another process can take it before the caller binds it; the broker helpers that
    /// start external programs retry with a new one when that happens (MosquittoSessionTests.StartMosquitto).
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
