using System.Diagnostics;
using System.IO.Ports;
using System.Text;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Mqtt;
using PanicDevice.Core.Net;
using PanicDevice.Core.Sms;

namespace PanicDevice.Cli;

/// <summary>What `modem check` should try beyond SIM, registration and signal.</summary>
public sealed record ModemCheckOptions(string Apn = "internet", string ApnUser = "", string ApnPassword = "", string? MqttHostPort = null, string? SmsNumber = null,
    int TimeoutS = 120);

/// <summary>
/// `panicctl modem check --port /dev/ttyUSB0`: drives a real SIM800 on a PC's serial port with the same Core
/// driver the device runs: SIM, registration, signal, network time, GPRS, a TCP round trip (an MQTT
/// CONNECT answered by a broker's CONNACK) and optionally an SMS. Each step prints one line.
/// </summary>
public static class ModemCheckCommand
{
    public static int RunOnSerialPort(string portName, int baud, ModemCheckOptions options, TextWriter output)
    {
        using var port = new SerialPort(portName, baud, Parity.None, 8, StopBits.One) { ReadTimeout = 50, WriteTimeout = 2000 };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CliException("cannot open " + portName + ": " + e.Message + " (is the USB-serial adapter plugged in, and are you in the dialout group?)");
        }
        var clock = Stopwatch.StartNew();
        return Run(new SerialPortStream(port), new NoPowerPins(), options, () => clock.ElapsedMilliseconds, null, output);
    }

    /// <summary>The check itself, over any byte stream (the emulator in tests). pollAlso runs every turn (the emulator's clock).</summary>
    public static int Run(IByteStream stream, IModemPower power, ModemCheckOptions options, Func<long> now, Action<long>? pollAlso, TextWriter output)
    {
        var modem = new Sim800Modem(stream, power, new Sim800Settings { Apn = options.Apn, ApnUser = options.ApnUser, ApnPassword = options.ApnPassword });
        bool RunUntil(Func<bool> done, int seconds)
        {
            long end = now() + seconds * 1000L;
            while (now() < end)
            {
                pollAlso?.Invoke(now());
                modem.Poll(now());
                if (done()) return true;
                Thread.Sleep(2);
            }
            return done();
        }
        int failures = 0;
        void Step(string what, bool ok, string detail)
        {
            output.WriteLine((ok ? "ok    " : "FAIL  ") + what + (detail.Length > 0 ? ": " + detail : ""));
            if (!ok) failures++;
        }

        bool ready = RunUntil(() => modem.Phase == Sim800Phase.Ready || (modem.Phase == Sim800Phase.CheckingSim && modem.LastError != null && modem.LastError.Contains("SIM")), options.TimeoutS);
        Step("modem answers and is configured", modem.Phase >= Sim800Phase.CheckingSim, modem.Phase.ToString());
        if (!ready || modem.Phase != Sim800Phase.Ready)
        {
            Step("SIM and network registration", false, modem.LastError ?? "timed out in phase " + modem.Phase);
            return 1;
        }
        Step("SIM ready and registered", true, "");
        RunUntil(() => modem.SignalDbm != 0 && modem.UtcSeconds(now()) != 0, 10);
        Step("signal", modem.SignalDbm != 0, modem.SignalDbm != 0 ? modem.SignalDbm + " dBm" : "unknown");
        Step("network time", modem.UtcSeconds(now()) != 0,
            modem.UtcSeconds(now()) != 0 ? DateTimeOffset.FromUnixTimeSeconds(modem.UtcSeconds(now())).ToString("u") : "the network sent none (AT+CLTS=1 set; some operators never send it)");

        if (options.MqttHostPort != null)
        {
            var (host, port) = HostPort(options.MqttHostPort);
            ITcpLink link = modem;
            link.Open(host, port, now());
            bool open = RunUntil(() => link.State != TcpLinkState.Opening, options.TimeoutS);
            Step("GPRS up and TCP connected to " + host + ":" + port, open && link.State == TcpLinkState.Open, link.State == TcpLinkState.Open ? "" : modem.LastError ?? "timed out");
            if (link.State == TcpLinkState.Open)
            {
                byte[] connect = MqttPacketWriter.Connect("panicctl-check-" + Environment.ProcessId, null, null, true, 30, null, null, 0, false);
                link.Send(connect, 0, connect.Length, now());
                var reply = new byte[64];
                int got = 0;
                long sent = now();
                RunUntil(() => (got += link.Receive(reply, got, reply.Length - got)) >= 4 || link.State != TcpLinkState.Open, 30);
                bool connack = got >= 4 && reply[0] == 0x20;
                Step("TCP round trip (MQTT CONNECT → CONNACK)", connack,
                    connack ? "return code " + reply[3] + " after " + (now() - sent) + " ms" : got + " byte(s) back; " + modem.LastError);
                link.Close(now());
                RunUntil(() => false, 2);
            }
        }
        if (options.SmsNumber != null)
        {
            ISmsSender sms = modem;
            int id = sms.Send(options.SmsNumber, "PanicDevice modem check " + DateTime.UtcNow.ToString("u"), now());
            RunUntil(() => sms.StateOf(id) != SmsSendState.Pending, 90);
            Step("SMS to " + options.SmsNumber, sms.StateOf(id) == SmsSendState.Sent, sms.StateOf(id) == SmsSendState.Sent ? "" : modem.LastError ?? "timed out");
        }
        output.WriteLine(failures == 0 ? "modem check passed" : failures + " check(s) failed");
        return failures == 0 ? 0 : 1;
    }

    private static (string Host, int Port) HostPort(string text)
    {
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text[(colon + 1)..], out int port) || port is < 1 or > 65535)
            throw new CliException("--mqtt takes HOST:PORT, e.g. broker.example.org:1883");
        return (text[..colon], port);
    }

    /// <summary>A PC's serial port as Core's non-blocking byte stream.</summary>
    private sealed class SerialPortStream(SerialPort port) : IByteStream
    {
        public int Read(byte[] buffer, int offset, int count)
        {
            int available = port.BytesToRead;
            return available == 0 ? 0 : port.Read(buffer, offset, Math.Min(count, available));
        }

        public void Write(byte[] buffer, int offset, int count) => port.Write(buffer, offset, count);
    }

    /// <summary>A USB-serial module board has no PWRKEY line to the PC: power it on by hand.</summary>
    private sealed class NoPowerPins : IModemPower
    {
        public void SetPowerKey(bool asserted) { }
        public void SetSupply(bool on) { }
    }
}
