using System.Net.Sockets;

namespace PanicDevice.ModemEmulator;

/// <summary>
/// The module's one TCP connection, bridged to a real socket so the device's MQTT session reaches a real broker: the
/// IP state machine (IP INITIAL … CONNECT OK), CIPSTART, CIPSEND (normal or quick send), manual receive in hex
/// (CIPRXGET), the round trip and the network's faults (PDP deactivation, the far end closing, a PUBLISH cut in half).
/// </summary>
internal sealed class EmulatedTcpBridge : IEmulatedDataReceiver
{
    private const int ModuleBufferBytes = 1460 * 4;
    private readonly Sim800Emulator module;
    private readonly List<byte> moduleRx = new();
    private readonly Queue<(long At, byte[] Bytes)> inFlightToModule = new();
    private readonly List<byte> data = new();
    private int dataExpected;
    private Socket? socket;
    private Task? connecting;
    private bool connected;
    private bool manualReceive;
    private bool quickSend;
    private string ipState = "IP INITIAL";

    public EmulatedTcpBridge(Sim800Emulator module) => this.module = module;

    /// <summary>Settings and state the module forgets when it restarts.</summary>
    public void ResetModuleState()
    {
        manualReceive = false;
        quickSend = false;
        ipState = "IP INITIAL";
        moduleRx.Clear();
    }

    /// <summary>The TCP commands; false for any other.</summary>
    public bool Execute(string body, string raw)
    {
        switch (body)
        {
            case "+CIPSHUT":
                CloseSocket();
                ipState = "IP INITIAL";
                module.Emit("SHUT OK");
                return true;
            case "+CIICR":
                if (ipState != "IP START")
                {
                    module.Error();
                    return true;
                }
                if (!module.Registered || module.Faults.NoData)
                {
                    module.After(1000, module.Error);
                    return true;
                }
                module.After(500 + module.Faults.RoundTripMs, () =>
                {
                    ipState = "IP GPRSACT";
                    module.Ok();
                });
                return true;
            case "+CIFSR":
                if (ipState != "IP GPRSACT" && ipState != "IP STATUS" && !ipState.StartsWith("TCP", StringComparison.Ordinal) && ipState != "CONNECT OK")
                {
                    module.Error();
                    return true;
                }
                if (ipState == "IP GPRSACT") ipState = "IP STATUS";
                module.Emit("10.64.12.34"); // the manual's quirk: the address, with no OK after it
                return true;
            case "+CIPSTATUS":
                module.Ok();
                module.Emit("STATE: " + ipState);
                return true;
            case "+CIPCLOSE":
                if (!connected && connecting == null)
                {
                    module.Error();
                    return true;
                }
                CloseSocket();
                ipState = "TCP CLOSED";
                module.Emit("CLOSE OK");
                return true;
            case "+CIPMUX=0":
                module.Ok();
                return true;
            case "+CIPQSEND=0":
            case "+CIPQSEND=1":
                quickSend = body.EndsWith('1');
                module.Ok();
                return true;
            case "+CIPRXGET=1":
                manualReceive = true;
                module.Ok();
                return true;
        }
        if (body.StartsWith("+CIPRXGET=3,", StringComparison.Ordinal) && int.TryParse(body[12..], out int want))
        {
            ReadHex(want);
        }
        else if (body.StartsWith("+CSTT=", StringComparison.Ordinal))
        {
            if (ipState != "IP INITIAL")
            {
                module.Error();
                return true;
            }
            ipState = "IP START";
            module.Ok();
        }
        else if (body.StartsWith("+CIPSTART=", StringComparison.Ordinal))
        {
            Connect(raw[10..]);
        }
        else if (body.StartsWith("+CIPSEND=", StringComparison.Ordinal) && int.TryParse(body[9..], out int length))
        {
            if (!connected || length < 1 || length > 1460)
            {
                module.Error();
                return true;
            }
            dataExpected = length;
            data.Clear();
            module.PromptForData(this);
        }
        else
        {
            return false;
        }
        return true;
    }

    /// <summary>The network deactivates the PDP context: +PDP: DEACT, the connection is gone, CIPSHUT is needed.</summary>
    public void DeactivatePdp()
    {
        CloseSocket();
        ipState = "PDP DEACT";
        module.Emit("+PDP: DEACT");
    }

    /// <summary>The far end closes the TCP connection.</summary>
    public void DropConnection()
    {
        if (connected || socket != null)
        {
            CloseSocket();
            ipState = "TCP CLOSED";
            module.Emit("CLOSED");
        }
    }

    /// <summary>Data arrives from the network on the open connection now.</summary>
    public void DeliverFromNetwork(byte[] bytes)
    {
        if (!connected || bytes.Length == 0)
        {
            return;
        }
        bool wasEmpty = moduleRx.Count == 0;
        moduleRx.AddRange(bytes);
        if (manualReceive && wasEmpty)
        {
            module.Emit("+CIPRXGET: 1");
        }
    }

    private void Connect(string args)
    {
        var parts = args.Split(',');
        if (parts.Length != 3 || !int.TryParse(parts[2].Trim().Trim('"'), out int port))
        {
            module.Error();
            return;
        }
        if (connected || connecting != null)
        {
            module.Ok();
            module.Emit("ALREADY CONNECT");
            return;
        }
        if (ipState is not ("IP STATUS" or "TCP CLOSED" or "IP INITIAL") || !module.Registered)
        {
            module.Error();
            return;
        }
        string host = parts[1].Trim().Trim('"');
        moduleRx.Clear(); // a new connection starts with an empty receive buffer
        module.Ok();
        ipState = "TCP CONNECTING";
        socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var attempt = socket.ConnectAsync(host, port);
        connecting = attempt;
        long answerAt = module.Now + Math.Max(module.Faults.RoundTripMs, 1);
        void Check()
        {
            if (connecting != attempt)
            {
                return;
            }
            if (!attempt.IsCompleted || module.Now < answerAt)
            {
                module.After(5, Check);
                return;
            }
            connecting = null;
            if (attempt.IsCompletedSuccessfully)
            {
                connected = true;
                ipState = "CONNECT OK";
                module.Emit("CONNECT OK");
            }
            else
            {
                CloseSocket();
                ipState = "TCP CLOSED";
                module.Emit("STATE: TCP CLOSED");
                module.Emit("CONNECT FAIL");
            }
        }
        module.After(1, Check);
    }

    /// <summary>CIPSEND's bytes after the prompt: exactly the announced length, then off to the server.</summary>
    public bool Take(byte b)
    {
        data.Add(b);
        if (data.Count < dataExpected)
        {
            return true;
        }
        module.EndDataMode();
        ForwardToServer(data.ToArray());
        return false;
    }

    private void ForwardToServer(byte[] bytes)
    {
        var s = socket;
        var faults = module.Faults;
        if (s == null || !connected)
        {
            module.Emit("SEND FAIL");
            return;
        }
        if (faults.DropMidPublish > 0 && (bytes[0] & 0xF0) == 0x30)
        {
            faults.DropMidPublish--;
            int half = Math.Max(1, bytes.Length / 2);
            module.After(faults.RoundTripMs / 2, () =>
            {
                try { s.Send(bytes, 0, half, SocketFlags.None); } catch (SocketException) { }
                if (socket == s)
                {
                    CloseSocket();
                    ipState = "TCP CLOSED";
                    module.Emit("CLOSED");
                }
            });
            return;
        }
        module.After(faults.RoundTripMs / 2, () =>
        {
            if (socket != s) return;
            try { s.Send(bytes, SocketFlags.None); }
            catch (SocketException) { }
        });
        if (quickSend)
        {
            module.Emit("DATA ACCEPT:" + bytes.Length); // quick send mode: accepted into the module's buffer
            return;
        }
        // Normal mode: SEND OK when the server's TCP acknowledgement is back, one round trip later.
        module.After(faults.RoundTripMs, () =>
        {
            if (socket == s && connected) module.Emit("SEND OK");
        });
    }

    /// <summary>Moves what the server sent towards the module's buffer, a half round trip late.</summary>
    public void Pump()
    {
        long now = module.Now;
        int halfTrip = module.Faults.RoundTripMs / 2;
        var s = socket;
        if (s != null && connected)
        {
            try
            {
                if (s.Available > 0)
                {
                    var buffer = new byte[s.Available];
                    int n = s.Receive(buffer);
                    inFlightToModule.Enqueue((now + halfTrip, buffer[..n]));
                }
                else if (s.Poll(0, SelectMode.SelectRead))
                {
                    // The server closed; what it sent before still arrives first.
                    inFlightToModule.Enqueue((now + halfTrip, Array.Empty<byte>()));
                    connected = false;
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                inFlightToModule.Enqueue((now + halfTrip, Array.Empty<byte>()));
                connected = false;
            }
        }
        while (inFlightToModule.Count > 0 && inFlightToModule.Peek().At <= now)
        {
            var (_, bytes) = inFlightToModule.Dequeue();
            if (bytes.Length == 0)
            {
                // The peer closed: what it sent before stays readable (CIPRXGET) until CIPCLOSE/CIPSHUT/CIPSTART.
                var unread = moduleRx.ToList();
                CloseSocket();
                moduleRx.AddRange(unread);
                ipState = "TCP CLOSED";
                module.Emit("CLOSED");
                continue;
            }
            bool wasEmpty = moduleRx.Count == 0;
            moduleRx.AddRange(bytes.Take(ModuleBufferBytes - moduleRx.Count));
            if (manualReceive && wasEmpty)
            {
                module.Emit("+CIPRXGET: 1");
            }
        }
    }

    private void ReadHex(int want)
    {
        if (!manualReceive || want < 1 || want > 730)
        {
            module.Error();
            return;
        }
        if (!connected && moduleRx.Count == 0)
        {
            module.CmeError(3, "operation not allowed");
            return;
        }
        int n = Math.Min(want, moduleRx.Count);
        var chunk = moduleRx.Take(n).ToArray();
        moduleRx.RemoveRange(0, n);
        module.Emit("+CIPRXGET: 3," + n + "," + moduleRx.Count);
        if (n > 0)
        {
            module.Emit(Convert.ToHexString(chunk));
        }
        module.Ok();
    }

    /// <summary>The socket is gone (and with it anything in flight or unread).</summary>
    public void CloseSocket()
    {
        try { socket?.Dispose(); } catch (ObjectDisposedException) { }
        socket = null;
        connecting = null;
        connected = false;
        moduleRx.Clear();
        inFlightToModule.Clear();
    }
}
