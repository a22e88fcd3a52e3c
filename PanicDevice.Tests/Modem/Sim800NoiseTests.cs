using System;
using System.Text;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>
    /// Modem garbage: line noise on a working module's UART, and a module that talks nonsense. No exception may
    /// escape the driver, and once the noise stops a press still reaches help.
    /// </summary>
    [TestClass]
    public class Sim800NoiseTests
    {
        /// <summary>The module's UART with bursts of random bytes slipped in front of what it sends.</summary>
        private sealed class NoisyUart : IByteStream
        {
            private readonly IByteStream module;
            private readonly TestRandom rng;
            private readonly byte[] burst = new byte[12];
            private int burstLeft;
            public int Percent;

            public NoisyUart(IByteStream module, int seed)
            {
                this.module = module;
                rng = new TestRandom(seed);
            }

            public int Read(byte[] buffer, int offset, int count)
            {
                if (burstLeft == 0 && Percent > 0 && rng.Next(100) < Percent)
                {
                    burstLeft = rng.Next(1, burst.Length + 1);
                    rng.NextBytes(burst);
                }
                if (burstLeft > 0)
                {
                    int n = burstLeft < count ? burstLeft : count;
                    Array.Copy(burst, burst.Length - burstLeft, buffer, offset, n);
                    burstLeft -= n;
                    return n;
                }
                return module.Read(buffer, offset, count);
            }

            public void Write(byte[] buffer, int offset, int count)
            {
                module.Write(buffer, offset, count);
            }
        }

        [TestMethod]
        [DataRow(1)]
        [DataRow(2)]
        [DataRow(3)]
        public void LineNoiseEndsInAWorkingLinkAndSmsOnceItStops(int seed)
        {
            ScriptedSim800 sim = new ScriptedSim800(new Echo());
            NoisyUart uart = new NoisyUart(sim, seed);
            uart.Percent = 3;
            Sim800Settings s = ModemBench.Settings();
            s.ReceivePollMs = 1000;
            ModemBench b = new ModemBench(sim, uart, s);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, 0);
            int sms = b.Driver.Send("112", "HELP", 0);
            byte[] data = Hex.Ascii("PUBLISH");
            byte[] sink = new byte[64];
            for (int turn = 0; turn < 12000; turn++)
            {
                // As the MQTT session and the delivery engine do: reopen a failed link, keep sending and reading,
                // queue a failed SMS again.
                if (b.Driver.State == TcpLinkState.Failed)
                {
                    b.Driver.Close(b.Now);
                    b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
                }
                if (turn % 100 == 0)
                {
                    b.Driver.Send(data, 0, data.Length, b.Now);
                }
                if (b.Driver.StateOf(sms) == SmsSendState.Failed)
                {
                    sms = b.Driver.Send("112", "HELP", b.Now);
                }
                b.Turn();
                b.Driver.Receive(sink, 0, sink.Length);
            }
            uart.Percent = 0;
            ModemBench bench = b;
            int last = sms;
            bool recovered = b.RunUntil(delegate
            {
                if (bench.Driver.State == TcpLinkState.Failed || bench.Driver.State == TcpLinkState.Closed)
                {
                    bench.Driver.Close(bench.Now);
                    bench.Driver.Open(Sim800Script.Host, Sim800Script.Port, bench.Now);
                }
                return bench.Driver.State == TcpLinkState.Open && bench.Driver.StateOf(last) != SmsSendState.Pending;
            }, 180000);
            Assert.IsTrue(recovered, "after the noise: " + b.Why);
            if (b.Driver.StateOf(sms) == SmsSendState.Failed)
            {
                int again = b.Driver.Send("112", "HELP", b.Now);
                b.RunUntil(delegate { return bench.Driver.StateOf(again) != SmsSendState.Pending; }, 60000);
                sms = again;
            }
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(sms), b.Why);
            Assert.IsTrue(sim.Sms.Count >= 1);
        }

        private sealed class Echo : ITcpPeer
        {
            private readonly byte[] pending = new byte[256];
            private int count;

            public bool Closed
            {
                get { return false; }
            }

            public bool Accept(string host, int port, long nowMs)
            {
                count = 0;
                return true;
            }

            public void Receive(byte[] data, int offset, int n, long nowMs)
            {
                int k = n < pending.Length - count ? n : pending.Length - count;
                Array.Copy(data, offset, pending, count, k);
                count += k;
            }

            public int Take(byte[] buffer, int offset, int n, long nowMs)
            {
                int k = n < count ? n : count;
                Array.Copy(pending, 0, buffer, offset, k);
                Array.Copy(pending, k, pending, 0, count - k);
                count -= k;
                return k;
            }
        }

        /// <summary>A "module" that answers anything with a random mix of real SIM800 lines, half lines, prompts, hex and noise.</summary>
        private sealed class Babbler : IByteStream, IModemPower
        {
            private static readonly string[] Lines =
            {
                "OK", "ERROR", "RDY", "CLOSED", "+PDP: DEACT", "+CIPRXGET: 1", "+CIPRXGET: 3,5,0", "+CIPRXGET: 3,500,20", "+CIPRXGET: 3,-4,x",
                "48454C4C4F", "4845", "+CREG: 0,1", "+CREG: 0,3", "+CREG: 1", "+CPIN: READY", "+CPIN: NOT READY", "+CME ERROR: SIM busy", "CONNECT OK",
                "CONNECT FAIL", "ALREADY CONNECT", "DATA ACCEPT:5", "SEND OK", "SEND FAIL", "SHUT OK", "CLOSE OK", "+CMGS: 12", "+CMS ERROR: 500",
                "10.64.12.34", "+CSQ: 18,0", "+CSQ: 99", "+CCLK: \"26/11/29,08:44:52+28\"", "+CCLK: \"", "+CIPGSMLOC: 0,106.8,-6.1,x", "+CIPGSMLOC: 601",
                "NORMAL POWER DOWN", "UNDER-VOLTAGE WARNNING", "+CMTI: \"SM\",1", "Call Ready", "STATE: IP STATUS", "0, CLOSED", "+CFUN: 1",
            };

            private readonly TestRandom rng;
            private readonly byte[] pending = new byte[2048];
            private int count;

            public Babbler(int seed)
            {
                rng = new TestRandom(seed);
            }

            public int Read(byte[] buffer, int offset, int n)
            {
                if (count == 0 && rng.Next(3) == 0)
                {
                    Babble();
                }
                int k = n < count ? n : count;
                Array.Copy(pending, 0, buffer, offset, k);
                Array.Copy(pending, k, pending, 0, count - k);
                count -= k;
                return k;
            }

            private void Babble()
            {
                int parts = rng.Next(1, 5);
                for (int i = 0; i < parts; i++)
                {
                    int kind = rng.Next(10);
                    string text;
                    if (kind < 6)
                    {
                        text = "\r\n" + Lines[rng.Next(Lines.Length)] + "\r\n";
                    }
                    else if (kind == 6)
                    {
                        text = "\r\n> ";
                    }
                    else if (kind == 7)
                    {
                        text = Lines[rng.Next(Lines.Length)]; // half a line
                    }
                    else if (kind == 8)
                    {
                        text = "\r\n" + new string('7', rng.Next(900, 1300)) + "\r\n"; // hex-like, sometimes overlong
                    }
                    else
                    {
                        byte[] noise = new byte[rng.Next(1, 20)];
                        rng.NextBytes(noise);
                        Append(noise);
                        continue;
                    }
                    Append(Encoding.UTF8.GetBytes(text));
                }
            }

            private void Append(byte[] bytes)
            {
                int k = bytes.Length < pending.Length - count ? bytes.Length : pending.Length - count;
                Array.Copy(bytes, 0, pending, count, k);
                count += k;
            }

            public void Write(byte[] buffer, int offset, int n)
            {
            }

            public void SetPowerKey(bool asserted)
            {
            }

            public void SetSupply(bool on)
            {
            }
        }

        [TestMethod]
        [DataRow(11)]
        [DataRow(12)]
        [DataRow(13)]
        public void NonsenseFromTheModuleNeverThrowsOutOfTheDriver(int seed)
        {
            Babbler module = new Babbler(seed);
            Sim800Settings s = ModemBench.Settings();
            s.CellLocation = true;
            s.ReceivePollMs = 200;
            ModemBench b = new ModemBench(module, module, s);
            TestRandom rng = new TestRandom(seed * 7);
            byte[] data = new byte[700];
            byte[] sink = new byte[300];
            for (int turn = 0; turn < 6000; turn++)
            {
                switch (rng.Next(40))
                {
                    case 0:
                        b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
                        break;
                    case 1:
                        b.Driver.Close(b.Now);
                        break;
                    case 2:
                        b.Driver.Send(data, 0, rng.Next(1, data.Length), b.Now);
                        break;
                    case 3:
                        b.Driver.Send(rng.Next(2) == 0 ? "112" : "+6281200000001", rng.Next(2) == 0 ? "HELP" : "Tolong € " + new string('x', 170), b.Now);
                        break;
                    case 4:
                        b.Driver.RequestCellLocation();
                        break;
                }
                int want = rng.Next(1, sink.Length);
                int got = b.Driver.Receive(sink, 0, want);
                Assert.IsTrue(got >= 0 && got <= want, "Receive stays within what was asked");
                b.Turn();
                int state = (int)b.Driver.State;
                Assert.IsTrue(state >= 0 && state <= 3, "link state " + state.ToString());
            }
        }
    }
}
