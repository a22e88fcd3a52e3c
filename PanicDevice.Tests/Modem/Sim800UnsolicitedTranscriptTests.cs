using System;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>Unsolicited result codes at any moment, and line noise, over a strict AT transcript.</summary>
    [TestClass]
    public class Sim800UnsolicitedTranscriptTests
    {
        private static void BootChatter(AtTranscript at, long afterMs)
        {
            at.Sends(afterMs, "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready");
        }

        [TestMethod]
        public void AnUnaskedRdyFailsTheLinkAndConfiguresTheModuleAgain()
        {
            ModemBench b = ModemBench.Connected();
            BootChatter(b.At, 100);
            AtStep reconfigure = b.At.Expect("ATE0").Reply("OK");
            b.At.Expect("AT+CMEE=2").Reply("OK");
            b.At.Expect("AT+CLTS=1").Reply("OK");
            b.At.Expect("AT+CSCS=\"IRA\"").Reply("OK");
            Sim800Script.SimAndNetwork(b.At);
            Sim800Script.Ready(b.At); // the network time is read again: the module's clock restarted
            b.RunUntil(delegate { return reconfigure.Times == 1; }, 1000);
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State);
            Expect.Contains("modem restarted", b.Driver.LastError);
            b.Play(5000);
            Assert.AreEqual(1, b.Driver.UnexpectedRestarts);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        public void AnSmsInFlightWhenTheModuleRebootsIsSentAgain()
        {
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=1").Reply("OK");
            b.At.Expect("AT+CMGS=\"112\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).After(500).Reply("RDY"); // brown-out mid-send
            Sim800Script.Configure(b.At);
            Sim800Script.SimAndNetwork(b.At);
            b.At.Expect("AT+CMGF=1").Reply("OK"); // the module forgot the format too
            b.At.Expect("AT+CMGS=\"112\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).Reply("+CMGS: 3", "OK");
            Sim800Script.Ready(b.At);
            int id = b.Driver.Send("112", "HELP", b.Now);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id), "may or may not have gone: sent again rather than not at all");
            Assert.AreEqual(1, b.Driver.UnexpectedRestarts);
        }

        [TestMethod]
        [DataRow("NORMAL POWER DOWN")]
        [DataRow("UNDER-VOLTAGE POWER DOWN")]
        public void APowerDownCodeIsAnsweredWithAPwrkeyPulse(string code)
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, code);
            AtStep press = b.At.ExpectPowerKey(true); // the supply is not cut: the module is off, not hung
            AtStep release = b.At.ExpectPowerKey(false);
            BootChatter(b.At, 1000);
            Sim800Script.Configure(b.At);
            Sim800Script.SimAndNetwork(b.At);
            Sim800Script.Ready(b.At);
            b.RunUntil(delegate { return press.Times == 1; }, 1000);
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State);
            b.Play(10000);
            Assert.AreEqual((long)Sim800Timeouts.PowerKeyPulseMs, release.PlayedAtMs - press.PlayedAtMs);
            Assert.AreEqual(1, b.Driver.UnexpectedRestarts);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        [DataRow("UNDER-VOLTAGE WARNNING")]
        [DataRow("OVER-VOLTAGE WARNNING")]
        public void AVoltageWarningIsRecordedAndTheModuleKeepsRunning(string warning)
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, warning);
            b.Play(3000); // nothing is sent in answer
            Assert.AreEqual(warning, b.Driver.LastError);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State);
            Assert.AreEqual(0, b.Driver.UnexpectedRestarts);
        }

        [TestMethod]
        public void ARemovedSimSendsTheDriverBackToTheSimCheck()
        {
            ModemBench b = ModemBench.Started();
            b.At.Sends(100, "+CPIN: NOT READY");
            AtStep check = b.At.Expect("AT+CPIN?").Reply("+CME ERROR: SIM not inserted");
            AtStep again = b.At.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK"); // reseated
            b.At.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
            Sim800Script.Ready(b.At);
            b.RunUntil(delegate { return check.Times == 1; }, 1000);
            Expect.Contains("SIM removed", b.Driver.LastError);
            b.RunFor(100);
            int id = b.Driver.Send("112", "HELP", b.Now);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(id), "no SIM: SMS fail at once");
            b.Play(15000);
            Assert.AreEqual(check.PlayedAtMs + ModemBench.StepMs + 10000, again.PlayedAtMs);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        public void AnIncomingSmsNoticeIsCountedAndNotActedOn()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CMTI: \"SM\",3");
            b.Play(3000);
            Assert.AreEqual(1, b.Driver.IncomingSmsNotices);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State);
        }

        [TestMethod]
        [DataRow("+CMTI: \"SM\",4")]
        [DataRow("UNDER-VOLTAGE WARNNING")]
        [DataRow("+CIPRXGET: 1")]
        [DataRow("CLOSED")]
        [DataRow("+PDP: DEACT")]
        [DataRow("Call Ready")]
        [DataRow("+CREG: 1")]
        [DataRow("*PSUTT: 26,11,29,1,44,52,\"+28\",1")]
        public void AnUnsolicitedCodeInTheMiddleOfAnAnswerLeavesTheAnswerWhole(string code)
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            at.Expect("AT+CCLK?").Reply(Sim800Script.ClockLine, code, "OK");
            at.Expect("AT+CSQ").Reply("+CSQ: 18,0", code, "OK");
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual(-77, b.Driver.SignalDbm, b.Why);
            Assert.AreEqual(Sim800Script.ClockUtcSeconds, b.Driver.NetworkUtcSeconds, b.Why);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        public void PdpDeactivationWhileConfiguringNeitherRestartsConfigurationNorLeavesAStaleBearer()
        {
            // Before the modem was split by capability, GPRS bring-up shared its step with the phase machine, and a
            // +PDP: DEACT here sent configuration back to ATE0. Configuration is the module's, the bearer the TCP part's.
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            at.Expect("ATE0").Reply("OK");
            at.Expect("AT+CMEE=2").Reply("+PDP: DEACT", "OK");
            at.Expect("AT+CLTS=1").Reply("OK");
            at.Expect("AT+CSCS=\"IRA\"").Reply("OK");
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, b.Why);
            Sim800Script.Gprs(b.At); // the bearer is brought up from its first step
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void PdpDeactivationWhileConnectingEndsTheAttemptAtOnce()
        {
            ModemBench b = ModemBench.Started();
            Sim800Script.Gprs(b.At);
            AtStep connect = b.At.Expect(Sim800Script.StartCommand).Reply("OK").After(500).Reply("+PDP: DEACT");
            b.At.Expect("AT+CIPCLOSE").Reply("ERROR"); // the failed attempt is cleared like any other
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.RunUntil(delegate { return b.Driver.State == TcpLinkState.Failed; }, Sim800Timeouts.ConnectMs);
            Assert.AreEqual(connect.PlayedAtMs + 500 + ModemBench.StepMs, b.Now, "not at the 80 s timeout");
            Expect.Contains("+PDP: DEACT", b.Driver.LastError);
            b.Play(3000);
            b.Driver.Close(b.Now);
            Sim800Script.Gprs(b.At); // GPRS is gone: the next connection attaches again
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void ClosedDuringAReadHandsOverWhatWasReadThenFailsTheLink()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CIPRXGET: 1");
            b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,2,0", "3132", "CLOSED", "OK");
            b.At.Expect("AT+CIPRXGET=3,500").Reply("+CME ERROR: operation not allowed"); // nothing left, no connection
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State);
            Expect.Contains("connection closed by the network", b.Driver.LastError);
            byte[] got = new byte[8];
            Assert.AreEqual(2, b.Driver.Receive(got, 0, got.Length));
            Assert.AreEqual((int)'1', (int)got[0]);
        }

        [TestMethod]
        public void NoiseBeforeAnAnswerIsSkipped()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT").ReplyBytes(new byte[] { 0xFF, 0x00, 0x81, (byte)'K', 0x7F }).Reply("OK");
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").ReplyBytes(new byte[] { 0x13, 0x0D, 0x0A, (byte)'>', 0x20 }).Reply("+CPIN: READY", "OK");
            at.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, b.Why);
        }

        [TestMethod]
        public void AnOverlongLineCostsOneAnswerAndNothingElse()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            AtStep spoilt = at.Expect("AT+CREG?").Reply(new string('#', 3000), "+CREG: 0,1", "OK");
            AtStep again = at.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(10000);
            Assert.AreEqual(spoilt.PlayedAtMs + ModemBench.StepMs + 2000, again.PlayedAtMs, "the spoilt answer counts as not registered yet");
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, b.Why);
        }

        [TestMethod]
        public void AStrayFinalResultNobodyWaitsForIsIgnored()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "OK", "SEND OK", "CONNECT OK", "ERROR", "DATA ACCEPT:12", "SHUT OK");
            b.Play(3000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }
    }
}
