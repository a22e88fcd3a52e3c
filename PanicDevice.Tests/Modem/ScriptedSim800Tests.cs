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
    /// The driver against the rule-based SIM800 stand-in (what whole-device runs use): everything the driver does
    /// works end to end on a healthy module, each switchable fault ends the way the driver promises, and the
    /// stand-in's TCP bridge carries bytes both ways exactly.
    /// </summary>
    [TestClass]
    public class ScriptedSim800Tests
    {
        /// <summary>A server that sends back what it gets; it can refuse connections or close with last words.</summary>
        private sealed class EchoPeer : ITcpPeer
        {
            private readonly byte[] pending = new byte[4096];
            private int count;
            public string Host;
            public int Port;
            public int Accepts;
            public bool Refuse;
            public bool Echo = true;

            public bool Closed { get; set; }

            public bool Accept(string host, int port, long nowMs)
            {
                Host = host;
                Port = port;
                Accepts++;
                Closed = false;
                count = 0;
                return !Refuse;
            }

            public void Receive(byte[] data, int offset, int n, long nowMs)
            {
                if (Echo)
                {
                    Say(data, offset, n);
                }
            }

            public void Say(byte[] data, int offset, int n)
            {
                Array.Copy(data, offset, pending, count, n);
                count += n;
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

        private static ModemBench Bench(ScriptedSim800 sim)
        {
            return new ModemBench(sim, ModemBench.Settings());
        }

        private static bool Ready(ModemBench b)
        {
            ModemBench bench = b;
            return bench.RunUntil(delegate { return bench.Driver.Phase == Sim800Phase.Ready; }, 30000);
        }

        private static bool Opened(ModemBench b)
        {
            ModemBench bench = b;
            bench.Driver.Open(Sim800Script.Host, Sim800Script.Port, bench.Now);
            return bench.RunUntil(delegate { return bench.Driver.State != TcpLinkState.Opening; }, 30000) && bench.Driver.State == TcpLinkState.Open;
        }

        private static SmsSendState Sms(ModemBench b, string number, string text)
        {
            ModemBench bench = b;
            int id = bench.Driver.Send(number, text, bench.Now);
            bench.RunUntil(delegate { return bench.Driver.StateOf(id) != SmsSendState.Pending; }, 60000);
            return bench.Driver.StateOf(id);
        }

        [TestMethod]
        public void AModuleThatIsAlreadyOnIsConfiguredWithoutBeingSwitchedOff()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            ModemBench b = Bench(sim);
            Assert.IsTrue(Ready(b), b.Why);
            Assert.AreEqual(1, sim.Boots);
            Assert.IsTrue(sim.IsOn);
            Assert.AreEqual(0, sim.CountOf("AT+CFUN"));
            Assert.AreEqual(1, sim.CountOf("ATE0"));
            Assert.AreEqual(1, sim.CountOf("AT+CLTS"), "network time sync asked for");
        }

        [TestMethod]
        public void ASwitchedOffModuleIsPoweredOnWithPwrkey()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer(), false);
            ModemBench b = Bench(sim);
            Assert.IsTrue(Ready(b), b.Why);
            Assert.AreEqual(1, sim.Boots, "one PWRKEY pulse");
            Assert.AreEqual(0, b.Driver.Recovery.PowerCycles);
        }

        [TestMethod]
        public void BytesCrossTheConnectionBothWaysExactly()
        {
            EchoPeer peer = new EchoPeer();
            ScriptedSim800 sim = new ScriptedSim800(peer);
            ModemBench b = Bench(sim);
            Assert.IsTrue(Opened(b), b.Why);
            Assert.AreEqual(Sim800Script.Host, peer.Host);
            Assert.AreEqual(Sim800Script.Port, peer.Port);
            byte[] sent = new byte[1500];
            TestRandom rng = new TestRandom(1500);
            rng.NextBytes(sent);
            int queued = 0;
            byte[] got = new byte[sent.Length];
            int received = 0;
            while (received < sent.Length && b.Now < 60000)
            {
                queued += b.Driver.Send(sent, queued, sent.Length - queued, b.Now);
                b.Turn();
                received += b.Driver.Receive(got, received, got.Length - received);
            }
            Expect.SameBytes(sent, got, "binary, through CIPSEND and hex CIPRXGET reads");
            Assert.IsTrue(sim.CountOf("AT+CIPSEND") >= 3, "sent in chunks of at most 512");
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State);
        }

        [TestMethod]
        public void SmsGoInTheModeTheirTextNeedsAndArriveWhole()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            ModemBench b = Bench(sim);
            string longText = "";
            for (int i = 0; i < 8; i++)
            {
                longText += "Tolong! Lokasi -6.175392,106.827153. ";
            }
            string ucs2 = "DARURAT: tombol panik ditekan dari Nguyễn Thị Ánh 阿明. Lokasi tidak diketahui.";
            Assert.AreEqual((int)SmsSendState.Sent, (int)Sms(b, "+6281200000001", "EMERGENCY: panic button pressed from Siti."));
            Assert.AreEqual((int)SmsSendState.Sent, (int)Sms(b, "112", longText));
            Assert.AreEqual((int)SmsSendState.Sent, (int)Sms(b, "+6281200000001", ucs2));
            Assert.AreEqual(3, sim.Sms.Count);
            ScriptedSms text = (ScriptedSms)sim.Sms[0];
            Assert.IsFalse(text.PduMode);
            Assert.AreEqual("+6281200000001", text.Number);
            Assert.AreEqual("EMERGENCY: panic button pressed from Siti.", text.Text);
            ScriptedSms concatenated = (ScriptedSms)sim.Sms[1];
            Assert.IsTrue(concatenated.PduMode);
            Assert.AreEqual(2, concatenated.Parts);
            Assert.AreEqual(longText, concatenated.Text);
            Assert.AreEqual("112", concatenated.Number);
            ScriptedSms unicode = (ScriptedSms)sim.Sms[2];
            Assert.AreEqual(ucs2, unicode.Text);
            Assert.AreEqual(2, unicode.Parts, "UCS-2: 67 characters a part");
        }

        [TestMethod]
        public void NetworkTimeAndSignalComeFromTheModule()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            ModemBench b = Bench(sim);
            ModemBench bench = b;
            Assert.IsTrue(b.RunUntil(delegate { return bench.Driver.UtcSeconds(bench.Now) != 0 && bench.Driver.SignalDbm != 0; }, 30000), b.Why);
            long expected = sim.NetworkUtcSeconds + b.Now / 1000;
            Expect.Near(expected, b.Driver.UtcSeconds(b.Now), 2, "UTC from the +07:00 local time the module reports");
            Assert.AreEqual(-77, b.Driver.SignalDbm);
        }

        [TestMethod]
        public void CellLocationComesThroughTheBearerWhenEnabled()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            Sim800Settings s = ModemBench.Settings();
            s.CellLocation = true;
            ModemBench b = new ModemBench(sim, s);
            Assert.IsTrue(Opened(b), b.Why);
            b.Driver.RequestCellLocation();
            ModemBench bench = b;
            Assert.IsTrue(b.RunUntil(delegate { return bench.Driver.CellFix != null; }, 10000), b.Why);
            Assert.AreEqual(-61753920, b.Driver.CellFix.LatitudeE7);
            Assert.AreEqual(1068271530, b.Driver.CellFix.LongitudeE7);
            Assert.AreEqual(3, sim.CountOf("AT+SAPBR"), "bearer type, APN, open");
            b.Driver.RequestCellLocation();
            b.RunFor(2000);
            Assert.AreEqual(3, sim.CountOf("AT+SAPBR"), "the bearer stays open");
            Assert.AreEqual(2, sim.CountOf("AT+CIPGSMLOC"));
        }

        [TestMethod]
        public void WithoutRegistrationSmsFailAndTheModuleIsResetUntilTheNetworkReturns()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            sim.NoRegistration = true;
            ModemBench b = Bench(sim);
            int id = b.Driver.Send("112", "HELP", 0);
            ModemBench bench = b;
            Assert.IsTrue(b.RunUntil(delegate { return bench.Driver.Recovery.Resets >= 1; }, 90000), b.Why);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(id));
            ScriptedSim800 module = sim;
            Assert.IsTrue(b.RunUntil(delegate { return module.Boots == 2; }, 10000), "AT+CFUN=1,1 restarted it");
            sim.NoRegistration = false;
            Assert.IsTrue(Ready(b), b.Why);
            Assert.AreEqual((int)SmsSendState.Sent, (int)Sms(b, "112", "HELP"));
        }

        [TestMethod]
        public void ARefusedSmsIsRetriedOnceThenReportedFailed()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            sim.SmsRefusals = 1;
            ModemBench b = Bench(sim);
            Assert.AreEqual((int)SmsSendState.Sent, (int)Sms(b, "+62812", "one refusal is retried"));
            sim.SmsRefusals = 2;
            Assert.AreEqual((int)SmsSendState.Failed, (int)Sms(b, "+62812", "two are reported"));
            Expect.Contains("+CMS ERROR: 500", b.Driver.LastError);
            Assert.AreEqual(1, sim.Sms.Count);
        }

        [TestMethod]
        public void AnUnreachableServerFailsTheLinkAndNeverResetsTheModule()
        {
            EchoPeer peer = new EchoPeer();
            ScriptedSim800 sim = new ScriptedSim800(peer);
            sim.ConnectFail = true;
            ModemBench b = Bench(sim);
            for (int i = 0; i < 10; i++)
            {
                Assert.IsFalse(Opened(b));
                Expect.Contains("CONNECT FAIL", b.Driver.LastError);
                b.Driver.Close(b.Now);
            }
            Assert.AreEqual(0, peer.Accepts, "the module never reached the server");
            Assert.AreEqual(0, sim.CountOf("AT+CFUN"));
            Assert.AreEqual(1, sim.Boots);
            sim.ConnectFail = false;
            peer.Refuse = true;
            Assert.IsFalse(Opened(b), "a peer that refuses is CONNECT FAIL too");
            b.Driver.Close(b.Now);
            peer.Refuse = false;
            Assert.IsTrue(Opened(b), b.Why);
        }

        [TestMethod]
        public void ADroppedConnectionFailsTheLinkAndCanBeOpenedAgain()
        {
            EchoPeer peer = new EchoPeer();
            ScriptedSim800 sim = new ScriptedSim800(peer);
            ModemBench b = Bench(sim);
            Assert.IsTrue(Opened(b), b.Why);
            sim.DropConnection();
            ModemBench bench = b;
            Assert.IsTrue(b.RunUntil(delegate { return bench.Driver.State == TcpLinkState.Failed; }, 1000));
            Expect.Contains("connection closed by the network", b.Driver.LastError);
            b.Driver.Close(b.Now);
            Assert.IsTrue(Opened(b), b.Why);
            Assert.AreEqual(2, peer.Accepts);
        }

        [TestMethod]
        public void APeerThatClosesIsHeardToTheLastByte()
        {
            EchoPeer peer = new EchoPeer();
            ScriptedSim800 sim = new ScriptedSim800(peer);
            ModemBench b = Bench(sim);
            Assert.IsTrue(Opened(b), b.Why);
            peer.Say(new byte[] { 0x20, 0x02, 0x00, 0x05 }, 0, 4); // CONNACK: not authorised
            peer.Closed = true;
            ModemBench bench = b;
            Assert.IsTrue(b.RunUntil(delegate { return bench.Driver.State == TcpLinkState.Failed; }, 5000), b.Why);
            byte[] got = new byte[8];
            Assert.AreEqual(4, b.Driver.Receive(got, 0, got.Length));
            Assert.AreEqual(5, (int)got[3]);
        }

        [TestMethod]
        public void ASilentModuleIsPowerCycledAndComesBack()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            ModemBench b = Bench(sim);
            Assert.IsTrue(Opened(b), b.Why);
            sim.Silent = true;
            b.Driver.Send(Hex.Ascii("HELLO"), 0, 5, b.Now);
            ModemBench bench = b;
            Assert.IsTrue(b.RunUntil(delegate { return bench.Driver.Recovery.PowerCycles == 1; }, 30000), b.Why);
            Assert.IsFalse(sim.Silent, "cutting the supply ended the hang");
            Assert.IsTrue(Ready(b), b.Why);
            Assert.AreEqual(2, sim.Boots);
            Assert.IsTrue(Opened(b), b.Why);
        }

        [TestMethod]
        public void TheCommandLogStaysBounded()
        {
            ScriptedSim800 sim = new ScriptedSim800(new EchoPeer());
            Sim800Settings s = ModemBench.Settings();
            s.ReceivePollMs = 100;
            ModemBench b = new ModemBench(sim, s);
            Assert.IsTrue(Opened(b), b.Why);
            b.RunFor(20000);
            Assert.IsTrue(sim.CommandCount > 150, "reads every 100 ms: " + sim.CommandCount.ToString());
            Assert.AreEqual(ScriptedSim800.CommandLogSize, sim.RecentCommands.Count);
            Assert.AreEqual("AT+CIPRXGET=3,500", (string)sim.RecentCommands[sim.RecentCommands.Count - 1]);
        }

        /// <summary>The module's UART with one unsolicited line slipped in at a given moment (between whatever it was sending).</summary>
        private sealed class Interjection : IByteStream
        {
            private readonly ScriptedSim800 module;
            private readonly long atMs;
            private readonly byte[] line;
            private int sent = -1;

            public Interjection(ScriptedSim800 module, long atMs, string text)
            {
                this.module = module;
                this.atMs = atMs;
                line = Encoding.UTF8.GetBytes("\r\n" + text + "\r\n");
            }

            public long Now;

            /// <summary>True once the whole line went to the driver.</summary>
            public bool Delivered
            {
                get { return sent == line.Length; }
            }

            public int Read(byte[] buffer, int offset, int count)
            {
                if (sent < 0 && Now >= atMs)
                {
                    sent = 0;
                }
                if (sent >= 0 && sent < line.Length)
                {
                    int n = line.Length - sent < count ? line.Length - sent : count;
                    Array.Copy(line, sent, buffer, offset, n);
                    sent += n;
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
        [DataRow("RDY")]
        [DataRow("CLOSED")]
        [DataRow("+PDP: DEACT")]
        [DataRow("NORMAL POWER DOWN")]
        [DataRow("UNDER-VOLTAGE POWER DOWN")]
        [DataRow("+CIPRXGET: 1")]
        [DataRow("+CPIN: NOT READY")]
        [DataRow("+CMTI: \"SM\",1")]
        [DataRow("UNDER-VOLTAGE WARNNING")]
        public void AnUnsolicitedCodeAtAnyMomentStillEndsInTheSmsSentAndTheLinkWorking(string code)
        {
            // Moments spread over start-up, the GPRS bring-up, the connection, a send and an SMS, which a scripted
            // module gets through in about a third of a second, and the idle link after them.
            for (long at = 0; at <= 600; at += 20)
            {
                EchoPeer peer = new EchoPeer();
                ScriptedSim800 sim = new ScriptedSim800(peer);
                Interjection uart = new Interjection(sim, at, code);
                ModemBench b = new ModemBench(sim, uart, ModemBench.Settings());
                b.Driver.Open(Sim800Script.Host, Sim800Script.Port, 0);
                int sms = b.Driver.Send("112", "HELP", 0);
                bool pinged = false;
                string heard = "";
                byte[] sink = new byte[16];
                bool done = false;
                while (!done && b.Now < 180000)
                {
                    // As the MQTT session and the delivery engine do: reopen a failed link, queue a failed SMS again.
                    if (b.Driver.State == TcpLinkState.Failed)
                    {
                        b.Driver.Close(b.Now);
                        b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
                        pinged = false;
                        heard = "";
                    }
                    if (b.Driver.State == TcpLinkState.Open && !pinged && b.Now >= 300)
                    {
                        b.Driver.Send(Hex.Ascii("PING"), 0, 4, b.Now);
                        pinged = true;
                    }
                    if (b.Driver.StateOf(sms) == SmsSendState.Failed)
                    {
                        sms = b.Driver.Send("112", "HELP", b.Now);
                    }
                    uart.Now = b.Now;
                    b.Turn();
                    int n = b.Driver.Receive(sink, 0, sink.Length);
                    heard += Encoding.UTF8.GetString(sink, 0, n);
                    done = uart.Delivered && b.Driver.StateOf(sms) == SmsSendState.Sent && b.Driver.State == TcpLinkState.Open && heard == "PING";
                }
                Assert.IsTrue(uart.Delivered, code + " at " + at.ToString() + " ms reached the driver");
                Assert.IsTrue(done, code + " at " + at.ToString() + " ms: heard \"" + heard + "\", " + b.Why);
            }
        }
    }
}
