namespace PanicDevice.Core.Net
{
    /// <summary>State of a <see cref="ITcpLink"/>.</summary>
    public enum TcpLinkState
    {
        /// <summary>Not connected; Open may be called.</summary>
        Closed = 0,
        /// <summary>Open was called and the connection is being set up.</summary>
        Opening = 1,
        /// <summary>Connected: Send and Receive carry data.</summary>
        Open = 2,
        /// <summary>The last Open failed or the connection dropped; call Close, then Open again.</summary>
        Failed = 3,
    }

    /// <summary>
    /// One TCP connection as a cellular modem's TCP stack (or a host socket) offers it, driven by Poll.
    /// The MQTT session runs over this, so the same session code runs over a SIM800 and a PC socket.
    /// </summary>
    public interface ITcpLink
    {
        /// <summary>Current state; changes only inside Open, Close and Poll.</summary>
        TcpLinkState State { get; }

        /// <summary>Starts connecting to host:port. Progress and the outcome show in State after Poll.</summary>
        void Open(string host, int port, long nowMs);

        /// <summary>Closes the connection (if any) and returns to Closed.</summary>
        void Close(long nowMs);

        /// <summary>Queues bytes for sending when Open; returns how many were accepted (0 when busy or not open).</summary>
        int Send(byte[] data, int offset, int count, long nowMs);

        /// <summary>Copies up to count received bytes; returns 0 when none are waiting.</summary>
        int Receive(byte[] buffer, int offset, int count);

        /// <summary>Advances timers and I/O.</summary>
        void Poll(long nowMs);
    }
}
