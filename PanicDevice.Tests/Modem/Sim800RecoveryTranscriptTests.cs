using System;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>Command timeouts (Sim800Timeouts), the probe after them, and the recovery ladder, over a strict AT transcript.</summary>
    [TestClass]
    public class Sim800RecoveryTranscriptTests
    {
        /// <summary>
        /// Scripts the way to <paramref name="what"/>, which the module then leaves unanswered; returns that step. "X
        /// prompt" withholds the '&gt;' prompt, "X data" the result after the data.
        /// </summary>
        private static AtStep Silence(ModemBench b, string what)
        {
            AtTranscript at = b.At;
            Sim800Script.Probe(at);
            if (what == "ATE0")
            {
                return at.Expect("ATE0");
            }
            Sim800Script.Configure(at);
            if (what == "AT+CPIN?")
            {
                return at.Expect("AT+CPIN?");
            }
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            if (what == "AT+CREG?")
            {
                return at.Expect("AT+CREG?");
            }
            at.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
            if (what == "AT+CCLK?")
            {
                return at.Expect("AT+CCLK?");
            }
            if (what.StartsWith("AT+CMGS"))
            {
                b.Driver.Send("+6281200000001", "HELP", 0); // SMS go first once registered
                at.Expect("AT+CMGF=1").Reply("OK");
                AtStep sms = at.Expect("AT+CMGS=\"+6281200000001\"");
                return what.EndsWith("data") ? sms.Prompt().ExpectText("HELP" + AtTranscript.CtrlZ) : sms;
            }
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, 0); // a wanted connection comes before clock and signal
            AtStep bringUp = Sim800Script.GprsUntil(at, what, null); // all of it when what is no bring-up command
            if (bringUp != null)
            {
                return bringUp;
            }
            if (what == "AT+CIPSTART")
            {
                return at.Expect(Sim800Script.StartCommand).Reply("OK");
            }
            Sim800Script.Connect(at);
            Sim800Script.Ready(at);
            if (what == "AT+CIPRXGET=3")
            {
                at.Sends(100, "+CIPRXGET: 1");
                return at.Expect("AT+CIPRXGET=3,500");
            }
            if (what == "AT+CIPCLOSE")
            {
                return at.Expect("AT+CIPCLOSE"); // the test closes once connected
            }
            if (what == "AT+SAPBR" || what == "AT+CIPGSMLOC")
            {
                // The test asks for a cell location once connected.
                at.Expect("AT+SAPBR=3,1,\"Contype\",\"GPRS\"").Reply("OK");
                at.Expect("AT+SAPBR=3,1,\"APN\",\"internet\"").Reply("OK");
                if (what == "AT+SAPBR")
                {
                    return at.Expect("AT+SAPBR=1,1");
                }
                at.Expect("AT+SAPBR=1,1").Reply("OK");
                return at.Expect("AT+CIPGSMLOC=1,1");
            }
            AtStep send = at.Expect("AT+CIPSEND=5"); // the test sends once connected
            return what.EndsWith("data") ? send.Prompt().ExpectText("HELLO") : send;
        }

        [TestMethod]
        [DataRow("ATE0", Sim800Timeouts.SimpleMs)]
        [DataRow("AT+CPIN?", Sim800Timeouts.SimStatusMs)]
        [DataRow("AT+CREG?", Sim800Timeouts.SimpleMs)]
        [DataRow("AT+CCLK?", Sim800Timeouts.SimpleMs)]
        [DataRow("AT+CIPSHUT", Sim800Timeouts.ShutMs)]
        [DataRow("AT+CIPMUX=0", Sim800Timeouts.SimpleMs)]
        [DataRow("AT+CSTT", Sim800Timeouts.SetApnMs)]
        [DataRow("AT+CIICR", Sim800Timeouts.BringUpMs)]
        [DataRow("AT+CIFSR", Sim800Timeouts.SimpleMs)]
        [DataRow("AT+CIPSTART", Sim800Timeouts.ConnectMs)]
        [DataRow("AT+CIPSEND prompt", Sim800Timeouts.PromptMs)]
        [DataRow("AT+CIPSEND data", Sim800Timeouts.SendMs)]
        [DataRow("AT+CIPRXGET=3", Sim800Timeouts.ReadMs)]
        [DataRow("AT+CIPCLOSE", Sim800Timeouts.CloseMs)]
        [DataRow("AT+CMGS prompt", Sim800Timeouts.PromptMs)]
        [DataRow("AT+CMGS data", Sim800Timeouts.SmsMs)]
        [DataRow("AT+SAPBR", Sim800Timeouts.BearerMs)]
        [DataRow("AT+CIPGSMLOC", Sim800Timeouts.CellLocationMs)]
        public void ACommandWithoutAnAnswerTimesOutAtTheManualsLimitAndTheModuleIsProbed(string what, int timeoutMs)
        {
            AtTranscript at = new AtTranscript();
            Sim800Settings settings = ModemBench.Settings();
            settings.CellLocation = true;
            ModemBench b = new ModemBench(at, settings);
            AtStep silent = Silence(b, what);
            AtStep probe = at.Expect("AT").Reply("OK");
            if (what.StartsWith("AT+CIPSEND") || what == "AT+CIPCLOSE" || what == "AT+SAPBR" || what == "AT+CIPGSMLOC")
            {
                b.RunUntil(delegate { return b.Driver.State == TcpLinkState.Open; }, 10000);
                b.RunFor(200);
                if (what == "AT+CIPCLOSE")
                {
                    b.Driver.Close(b.Now);
                }
                else if (what.StartsWith("AT+CIPSEND"))
                {
                    b.Driver.Send(Hex.Ascii("HELLO"), 0, 5, b.Now);
                }
                else
                {
                    b.Driver.RequestCellLocation();
                }
            }
            b.RunUntil(delegate { return probe.Times == 1; }, timeoutMs + 10000);
            at.AssertPlayedOut();
            long from = what.EndsWith("data") ? silent.DataAtMs : silent.PlayedAtMs;
            Assert.AreEqual((long)timeoutMs, probe.PlayedAtMs - from, what + " waited its own limit, then the module was asked whether it is still there");
            string name = what.IndexOf(' ') > 0 ? what.Substring(0, what.IndexOf(' ')) : what;
            name = name.IndexOf('=') > 0 ? name.Substring(0, name.IndexOf('=')) : name;
            Expect.Contains("no answer to " + name, b.Driver.LastError);
        }

        [TestMethod]
        public void AModuleThatAnswersTheProbeCarriesOnWhereItWas()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            at.Expect("AT+CREG?"); // lost
            at.Expect("AT").Reply("OK");
            at.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(10000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
            Assert.AreEqual(0, b.Driver.Recovery.PowerCycles + b.Driver.Recovery.Resets, "an answered probe is no failure of the module");
        }

        [TestMethod]
        public void AConnectionWhoseAnswerNeverCameIsClosedToBeSure()
        {
            AtTranscript at = new AtTranscript();
            ModemBench b = new ModemBench(at);
            Silence(b, "AT+CIPSTART");
            at.Expect("AT").Reply("OK");
            at.Expect("AT+CIPCLOSE").Reply("ERROR");
            Sim800Script.Ready(at);
            b.Play(Sim800Timeouts.ConnectMs + 10000);
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State);
            Expect.Contains("no answer to AT+CIPSTART", b.Driver.LastError);
        }

        [TestMethod]
        public void AnSmsWithoutAnAnswerIsReportedFailedWithoutItsNumber()
        {
            AtTranscript at = new AtTranscript();
            ModemBench b = new ModemBench(at);
            Silence(b, "AT+CMGS data");
            at.Expect("AT").Reply("OK");
            Sim800Script.Ready(at);
            b.Play(Sim800Timeouts.SmsMs + 10000);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(1));
            Assert.AreEqual("no answer to AT+CMGS", b.Driver.LastError);
        }

        [TestMethod]
        public void AHungModuleIsPowerCycledAfterThreeSecondsOfSilence()
        {
            ModemBench b = ModemBench.Connected();
            AtStep send = b.At.Expect("AT+CIPSEND=5"); // no prompt: the module hangs here
            AtStep first = b.At.Expect("AT");
            b.At.Expect("AT");
            AtStep last = b.At.Expect("AT");
            AtStep off = b.At.ExpectSupply(false);
            b.At.ExpectSupply(true);
            b.At.ExpectPowerKey(true);
            b.At.ExpectPowerKey(false);
            BootAndReady(b.At, 1000);
            b.Driver.Send(Hex.Ascii("HELLO"), 0, 5, b.Now);
            b.RunUntil(delegate { return send.Times == 1; }, 1000);
            int sms = b.Driver.Send("112", "HELP", b.Now);
            b.RunUntil(delegate { return off.Times == 1; }, 20000);
            Assert.AreEqual(send.PlayedAtMs + Sim800Timeouts.PromptMs, first.PlayedAtMs);
            Assert.AreEqual(first.PlayedAtMs + 2000, last.PlayedAtMs, "three probes, a second each");
            Assert.AreEqual(last.PlayedAtMs + 1000, off.PlayedAtMs, "silence for the 3 s probe window: the supply is cut");
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(sms), "a queued SMS is reported, so the caller can try again, not held by a dead module");
            Assert.AreEqual(1, b.Driver.Recovery.PowerCycles);
            b.Play(30000);
            Assert.AreEqual(1, b.Driver.Recovery.PowerCycles);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        /// <summary>One bring-up attempt that the module refuses at AT+CIICR, with the session opening again.</summary>
        private static void RefusedAttach(ModemBench b)
        {
            Sim800Script.GprsUntil(b.At, "AT+CIICR", "+CME ERROR: no network service");
            b.Driver.Close(b.Now);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void RefusedBringUpsClimbRetryReattachResetThenPowerCycle()
        {
            ModemBench b = ModemBench.Started();
            for (int i = 0; i < 8; i++)
            {
                RefusedAttach(b);
            }
            Assert.AreEqual(2, b.Driver.Recovery.Reattaches, "two retries before each re-attach");
            Assert.AreEqual(0, b.Driver.Recovery.Resets);
            // The ninth refusal resets the module.
            Sim800Script.GprsUntil(b.At, "AT+CIICR", "+CME ERROR: no network service");
            b.At.Expect("AT+CFUN=1,1").Reply("OK");
            BootAndReady(b.At, 2000);
            b.Driver.Close(b.Now);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(30000);
            Assert.AreEqual(1, b.Driver.Recovery.Resets);
            // After the reset the same again, and the next escalation cuts the supply.
            for (int i = 0; i < 8; i++)
            {
                RefusedAttach(b);
            }
            Assert.AreEqual(4, b.Driver.Recovery.Reattaches);
            Sim800Script.GprsUntil(b.At, "AT+CIICR", "+CME ERROR: no network service");
            b.At.ExpectSupply(false);
            b.At.ExpectSupply(true);
            b.At.ExpectPowerKey(true);
            b.At.ExpectPowerKey(false);
            BootAndReady(b.At, 1000);
            b.Driver.Close(b.Now);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(30000);
            Assert.AreEqual(1, b.Driver.Recovery.Resets);
            Assert.AreEqual(1, b.Driver.Recovery.PowerCycles);
        }

        private static void BootAndReady(AtTranscript at, long afterMs)
        {
            at.Sends(afterMs, "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready");
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
        }

        [TestMethod]
        public void AnUnreachableServerIsNeverAReasonToRebootTheModem()
        {
            ModemBench b = ModemBench.Started();
            for (int round = 0; round < 12; round++)
            {
                if (round % 3 == 0)
                {
                    Sim800Script.Gprs(b.At); // first, and after each re-attach
                }
                b.At.Expect(Sim800Script.StartCommand).Reply("OK", "CONNECT FAIL");
                if (round % 3 != 2)
                {
                    b.At.Expect("AT+CIPCLOSE").Reply("ERROR");
                }
                b.Driver.Close(b.Now);
                b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
                b.Play(10000);
                Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State, b.Why);
            }
            Assert.AreEqual(4, b.Driver.Recovery.Reattaches, "every third CONNECT FAIL re-attaches GPRS");
            Assert.AreEqual(0, b.Driver.Recovery.Resets, "never a reset: it would only delay the SMS fallback");
            Assert.AreEqual(0, b.Driver.Recovery.PowerCycles);
        }

        [TestMethod]
        public void ASuccessStartsTheLadderAgainFromTheBottom()
        {
            ModemBench b = ModemBench.Started();
            RefusedAttach(b);
            RefusedAttach(b);
            Sim800Script.Gprs(b.At);
            Sim800Script.Connect(b.At);
            b.Driver.Close(b.Now);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State);
            b.At.Sends(100, "+PDP: DEACT");
            b.Play(3000);
            RefusedAttach(b);
            Assert.AreEqual(0, b.Driver.Recovery.Reattaches, "the third failure overall, but the first since the connection worked");
        }
    }
}
