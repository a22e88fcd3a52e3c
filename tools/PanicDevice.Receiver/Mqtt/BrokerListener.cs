using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Server;
using PanicDevice.Receiver.Logging;

namespace PanicDevice.Receiver.Mqtt;

/// <summary>
/// The embedded broker's TCP (and TLS) front door, in place of MQTTnet's own listener, which reads a whole
/// packet of whatever size its header declares, has no limit on connections that never log in and no
/// timeout on a TLS handshake. Here every accepted connection is a pending login until its CONNACK says
/// success: it must get there within <see cref="BrokerLimits.LoginTimeout"/>, at most
/// <see cref="BrokerLimits.MaxPendingLogins"/> may be pending at once (<see cref="PendingLogins{T}"/>), and
/// its bytes pass a <see cref="PacketSizeGuard"/> before MQTTnet reads them (<see cref="GuardedChannel"/>).
/// MQTTnet's session handling, from the CONNECT on, is unchanged.
/// </summary>
internal sealed class BrokerListener : IMqttServerAdapter
{
    private readonly BrokerAddress address;
    private readonly int port;
    private readonly EmbeddedBrokerTls? tls;
    private readonly BrokerLimits limits;
    private readonly BrokerCounters counters;
    private readonly RejectionLog log;
    private readonly PendingLogins<Connection> pending;
    private readonly List<Socket> sockets = new();
    private CancellationTokenSource? stopping;
    private IMqttNetLogger mqttLogger = MqttNetNullLogger.Instance;
    private MqttServerOptions? serverOptions;

    /// <param name="port">Plain MQTT port; 0 for none.</param>
    /// <param name="tls">TLS port and certificate; null for none.</param>
    public BrokerListener(BrokerAddress address, int port, EmbeddedBrokerTls? tls, BrokerLimits limits, BrokerCounters counters, RejectionLog log)
    {
        this.address = address;
        this.port = port;
        this.tls = tls;
        this.limits = limits;
        this.counters = counters;
        this.log = log;
        pending = new PendingLogins<Connection>(limits.MaxPendingLogins);
    }

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    /// <summary>Where it listens, for the start-up line: address:port pairs.</summary>
    public IReadOnlyList<EndPoint> LocalEndPoints => sockets.Select(s => s.LocalEndPoint!).ToList();

    public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger)
    {
        serverOptions = options;
        mqttLogger = logger;
        stopping = new CancellationTokenSource();
        foreach (var (p, secure) in new[] { (port, false), (tls?.Port ?? 0, true) })
        {
            if (p == 0)
            {
                continue;
            }
            foreach (IPAddress ip in address.Addresses)
            {
                Socket? s;
                try
                {
                    s = Listen(ip, p);
                }
                catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
                {
                    StopAsync(); // the sockets already opened (another address of the same name) are closed again
                    throw new PortInUseException((secure ? "MQTT over TLS port " : "MQTT port ") + p + " (" + (secure ? "--mqtt-tls-port" : "--mqtt-port") + ") on " + ip +
                        (e.SocketErrorCode == SocketError.AccessDenied ? " may not be opened by this user (ports below 1024 need privileges)" : " is in use by another program") +
                        ": stop it, or choose another port");
                }
                if (s == null)
                {
                    continue;
                }
                sockets.Add(s);
                _ = AcceptAsync(s, secure, stopping.Token);
            }
        }
        return Task.CompletedTask;
    }

    private Socket? Listen(IPAddress ip, int p)
    {
        Socket? s = null;
        try
        {
            s = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp); // throws here where the family is not supported
            if (ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.Equals(IPAddress.IPv6Any))
            {
                s.DualMode = true; // IPv4 clients too
            }
            s.Bind(new IPEndPoint(ip, p));
            s.Listen(512);
            return s;
        }
        catch (SocketException) when (ip.Equals(IPAddress.IPv6Loopback) && address.Text == "localhost")
        {
            s?.Dispose(); // ::1 is a courtesy beside 127.0.0.1 (no IPv6 here, or the port taken there): as Kestrel does for localhost
            return null;
        }
        catch (SocketException e) when (address.IsAny && e.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
        {
            s?.Dispose(); // no IPv6 on this machine: every interface means IPv4's
            return Listen(IPAddress.Any, p);
        }
        catch
        {
            s?.Dispose();
            throw;
        }
    }

    private async Task AcceptAsync(Socket listener, bool secure, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stop);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // the client gave up before it was accepted
            }
            Connection connection;
            try
            {
                client.NoDelay = true;
                connection = new Connection(client, this);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                client.Dispose(); // reset between accept and here
                continue;
            }
            // Admitted here, in accept order, so "oldest" means the first accepted.
            if (pending.Admit(connection, connection.Address) is { } victim)
            {
                victim.Close("pending_logins_full");
            }
            connection.StartClock(limits.LoginTimeout);
            _ = Task.Run(() => ServeAsync(connection, secure));
        }
    }

    private async Task ServeAsync(Connection connection, bool secure)
    {
        try
        {
            Stream stream = new NetworkStream(connection.Socket, ownsSocket: true);
            if (secure)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = tls!.Certificate,
                    ClientCertificateRequired = false,
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                }, connection.LoginDeadline);
            }
            connection.Stream = stream;
            var guard = new PacketSizeGuard(limits.MaxPacketBytesBeforeLogin, limits.MaxPacketBytes);
            var channel = new GuardedChannel(stream, connection.Socket.LocalEndPoint!, connection.Socket.RemoteEndPoint!, guard,
                connection.LoggedIn, g => connection.Refused(g));
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(serverOptions!.WriterBufferSize, serverOptions.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, mqttLogger);
            if (ClientHandler is { } handler && !connection.LoginDeadline.IsCancellationRequested)
            {
                await handler(adapter);
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A failed or abandoned TLS handshake, or a connection closed under it: nothing to serve.
        }
        catch (Exception e)
        {
            log.Warn("connection_error", connection.Address.ToString(), "MQTT connection from {Address} failed: {Error}", connection.Address.ToString(), e.GetType().Name + ": " + LogText.Escape(e.Message));
        }
        finally
        {
            connection.Dispose();
        }
    }

    public Task StopAsync()
    {
        stopping?.Cancel();
        foreach (Socket s in sockets)
        {
            s.Dispose();
        }
        sockets.Clear();
        foreach (Connection c in pending.TakeAll())
        {
            c.Stop(); // logins under way (a TLS handshake, say) end with the broker; logged-in ones are MQTTnet's to end
        }
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        StopAsync();
        stopping?.Dispose();
    }

    /// <summary>One accepted client: pending until its login succeeds, closed at most once, for one reason.</summary>
    private sealed class Connection(Socket socket, BrokerListener owner) : IDisposable
    {
        private const int Pending = 0, In = 1, Closed = 2;
        private readonly CancellationTokenSource deadline = new();
        private int state;

        public Socket Socket { get; } = socket;
        public Stream? Stream { get; set; }

        /// <summary>The remote address (IPv4 as IPv4 on a dual-stack socket), for the cap per address and the log.</summary>
        public IPAddress Address { get; } = socket.RemoteEndPoint is IPEndPoint ip ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address) : IPAddress.None;

        /// <summary>Cancelled when the login time is up or the connection is closed before login.</summary>
        public CancellationToken LoginDeadline => deadline.Token;

        public void StartClock(TimeSpan timeout)
        {
            deadline.Token.Register(() => Close("login_timeout"));
            deadline.CancelAfter(timeout);
        }

        /// <summary>The server sent a successful CONNACK: no longer pending, no login deadline.</summary>
        public void LoggedIn()
        {
            if (Interlocked.CompareExchange(ref state, In, Pending) == Pending)
            {
                owner.pending.Release(this);
                try
                {
                    deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        /// <summary>Closes a connection that is still logging in (a logged-in one is MQTTnet's to end); counted and logged once.</summary>
        public void Close(string reason)
        {
            if (Interlocked.CompareExchange(ref state, Closed, Pending) != Pending)
            {
                return;
            }
            owner.pending.Release(this);
            owner.counters.Count(reason);
            string from = Address.ToString();
            if (reason == "pending_logins_full")
            {
                owner.log.Warn(reason, from, "MQTT connection from {Address} closed before login: {Max} connections were already logging in", from, owner.limits.MaxPendingLogins);
            }
            else
            {
                owner.log.Info(reason, from, "MQTT connection from {Address} closed: not logged in within {Seconds} s", from, owner.limits.LoginTimeout.TotalSeconds);
            }
            try
            {
                deadline.Cancel(); // ends a TLS handshake still under way
            }
            catch (ObjectDisposedException)
            {
                // served and disposed meanwhile
            }
            Abort();
        }

        /// <summary>The broker is stopping: closed without counting or logging.</summary>
        public void Stop()
        {
            if (Interlocked.CompareExchange(ref state, Closed, Pending) == Pending)
            {
                Abort();
            }
        }

        /// <summary>The guard stopped what the client sent (a packet over its limit, not a CONNECT first).</summary>
        public void Refused(PacketSizeGuard guard)
        {
            string reason = guard.Refusal!;
            owner.counters.Count(reason);
            if (Interlocked.CompareExchange(ref state, Closed, Pending) == Pending)
            {
                owner.pending.Release(this);
            }
            string from = Address.ToString();
            owner.log.Warn(reason, from, "MQTT connection from {Address} closed: {Reason} (length field says at least {Bytes} bytes; limit {Limit} before login, {LoggedInLimit} after)",
                from, reason, guard.DeclaredLength, owner.limits.MaxPacketBytesBeforeLogin, owner.limits.MaxPacketBytes);
            Abort();
        }

        private void Abort()
        {
            try
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            Socket.Dispose();
        }

        public void Dispose()
        {
            if (Interlocked.CompareExchange(ref state, Closed, Pending) == Pending)
            {
                owner.pending.Release(this); // went away on its own before logging in
            }
            Stream?.Dispose();
            Socket.Dispose();
            deadline.Dispose();
        }
    }
}

/// <summary>A listening port could not be opened; the message names the port, the option and what to do, in one line.</summary>
internal sealed class PortInUseException : Exception
{
    public PortInUseException(string message) : base(message)
    {
    }
}
