using System.Text;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;

namespace PanicDevice.Bench.Fuzz;

/// <summary>
/// The SIM800 driver against a scripted modem that answers each command plausibly, except that a
/// quarter of the answers are replaced by, or followed with, a slice of the fuzz input. This reaches
/// the later phases (registration, bearer, TCP, receive, SMS) that pure garbage never gets to. Poll must
/// return every time; the verdict is the phase reached (Ready counts as accepted).
/// </summary>
public sealed class Sim800SessionTarget : FuzzTarget
{
    private sealed class ScriptedModem : IByteStream
    {
        private readonly Queue<byte> output = new();
        private readonly Random rng;
        private readonly byte[] fuzz;
        private int fuzzPos;
        private string pendingData = "";
        public int Commands;

        public ScriptedModem(byte[] fuzz, Random rng)
        {
            this.fuzz = fuzz;
            this.rng = rng;
            Say("\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n\r\nCall Ready\r\n\r\nSMS Ready\r\n");
        }

        public bool FuzzLeft => fuzzPos < fuzz.Length;

        private void Say(string s)
        {
            foreach (char c in s) output.Enqueue((byte)c);
        }

        public int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, Math.Min(output.Count, rng.Next(1, 128)));
            for (int i = 0; i < n; i++) buffer[offset + i] = output.Dequeue();
            return n;
        }

        public void Write(byte[] buffer, int offset, int count)
        {
            Commands++;
            if (pendingData.Length > 0)
            {
                Answer(pendingData == "tcp" ? "\r\nDATA ACCEPT:" + count + "\r\n" : "\r\n+CMGS: 12\r\n\r\nOK\r\n");
                pendingData = "";
                return;
            }
            string cmd = Encoding.ASCII.GetString(buffer, offset, count).TrimEnd('\r');
            if (cmd.StartsWith("AT+CIPSEND="))
            {
                pendingData = "tcp";
                Answer("\r\n> ");
                return;
            }
            if (cmd.StartsWith("AT+CMGS="))
            {
                pendingData = "sms";
                Answer("\r\n> ");
                return;
            }
            Answer(cmd switch
            {
                "AT+CPIN?" => "\r\n+CPIN: READY\r\n\r\nOK\r\n",
                "AT+CREG?" => "\r\n+CREG: 0,1\r\n\r\nOK\r\n",
                "AT+CSQ" => "\r\n+CSQ: 17,0\r\n\r\nOK\r\n",
                "AT+CCLK?" => "\r\n+CCLK: \"26/11/29,03:18:36+28\"\r\n\r\nOK\r\n",
                "AT+CIFSR" => "\r\n10.1.2.3\r\n",
                "AT+CIPSHUT" => "\r\nSHUT OK\r\n",
                "AT+CIPCLOSE" => "\r\nCLOSE OK\r\n",
                _ when cmd.StartsWith("AT+CIPGSMLOC") => "\r\n+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,03:18:36\r\n\r\nOK\r\n",
                _ when cmd.StartsWith("AT+CIPSTART") => "\r\nOK\r\n\r\nCONNECT OK\r\n\r\n+CIPRXGET: 1\r\n",
                _ when cmd.StartsWith("AT+CIPRXGET=3,") => "\r\n+CIPRXGET: 3,4,0\r\n20020000\r\nOK\r\n",
                _ => "\r\nOK\r\n",
            });
        }

        private void Answer(string proper)
        {
            int choice = rng.Next(8);
            if (choice >= 2 || !FuzzLeft)
            {
                Say(proper);
            }
            if (choice < 2 && FuzzLeft)
            {
                // a slice of the fuzz input instead of (0) or after (1) the proper answer
                int n = Math.Min(fuzz.Length - fuzzPos, rng.Next(1, 96));
                for (int i = 0; i < n; i++) output.Enqueue(fuzz[fuzzPos++]);
                if (choice == 0) Say("\r\n");
            }
        }
    }

    private sealed class Power : IModemPower
    {
        public void SetPowerKey(bool asserted) { }
        public void SetSupply(bool on) { }
    }

    private readonly List<byte[]> seeds = FuzzSeeds.AtSeeds();
    private readonly Random rng = new(11);

    /// <summary>How often each phase was the last one reached (coverage of the run).</summary>
    public readonly long[] PhasesReached = new long[7];
    public long OpenedTcp;

    public override string Name => "sim800-session";

    /// <summary>Up to 400 poll turns of a full session (commands, replies, an SMS, TCP) allocate about 66 KB with no fuzz input at all.</summary>
    public override long AllocationBaseline => 128 * 1024;
    public override IReadOnlyList<byte[]> Seeds => seeds;

    public override FuzzVerdict Run(byte[] input, out string reason)
    {
        var port = new ScriptedModem(input, rng);
        var modem = new Sim800Modem(port, new Power(), new Sim800Settings { CellLocation = true });
        long now = 0;
        modem.Send("+6281200000001", "help", now);
        byte[] rx = new byte[256];
        byte[] tx = { 0x30, 0x03, 0x00, 0x01, 0x41 };
        bool opened = false, sent = false;
        int maxPhase = 0;
        for (int turn = 0; turn < 400 && (port.FuzzLeft || turn < 100); turn++)
        {
            modem.Poll(now);
            maxPhase = Math.Max(maxPhase, (int)modem.Phase);
            if (!opened && modem.Phase == Sim800Phase.Ready)
            {
                modem.Open("broker.example.org", 8883, now);
                opened = true;
            }
            if (modem.State == TcpLinkState.Open)
            {
                if (!sent)
                {
                    OpenedTcp++;
                    modem.Send(tx, 0, tx.Length, now);
                    sent = true;
                }
                modem.Receive(rx, 0, rx.Length);
            }
            now += 20 + rng.Next(400);
        }
        PhasesReached[maxPhase]++;
        reason = "phase " + (Sim800Phase)maxPhase + (modem.LastError != null ? ", last error: " + modem.LastError : "");
        return maxPhase == (int)Sim800Phase.Ready ? FuzzVerdict.Accepted : FuzzVerdict.Rejected;
    }
}
