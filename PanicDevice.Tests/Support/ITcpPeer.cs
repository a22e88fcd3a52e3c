namespace PanicDevice.Tests.Support
{
    /// <summary>
    /// The far end of one TCP connection in a device test (a broker, a server that never answers): the bytes the
    /// device sends arrive in <see cref="Receive"/>, the bytes it answers leave through <see cref="Take"/>. A scripted
    /// link (MQTT session tests) and the scripted SIM800 (driver and whole-device tests) carry a connection's bytes
    /// between the device code and a peer, so one broker stand-in serves both.
    /// </summary>
    public interface ITcpPeer
    {
        /// <summary>A connection to host:port is being opened; false refuses it (the modem reports CONNECT FAIL).</summary>
        bool Accept(string host, int port, long nowMs);

        /// <summary>Bytes the device sent on the open connection.</summary>
        void Receive(byte[] data, int offset, int count, long nowMs);

        /// <summary>Copies up to <paramref name="count"/> bytes the peer has for the device; 0 when none are waiting.</summary>
        int Take(byte[] buffer, int offset, int count, long nowMs);

        /// <summary>True once the peer has closed the connection (the device sees CLOSED).</summary>
        bool Closed { get; }
    }
}
