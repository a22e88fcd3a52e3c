using System;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>Start-up over a strict AT transcript: probe, PWRKEY, configuration, SIM, registration, network time.</summary>
    [TestClass]
    public class Sim800StartTranscriptTests
    {
        [TestMethod]
        public void AModuleThatAnswersIsConfiguredWithoutAPwrkeyPulse()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Start(at); // no power step: any PWRKEY or supply change fails the transcript
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, b.Why);
            Assert.AreEqual(0, b.Driver.UnexpectedRestarts);
            Assert.AreEqual(0, b.Driver.Recovery.PowerCycles);
            Assert.AreEqual(0, b.Driver.Recovery.Resets);
        }

        [TestMethod]
        public void NetworkTimeAndSignalAreReadOnceRegistered()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Start(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual(Sim800Script.ClockUtcSeconds, b.Driver.NetworkUtcSeconds, "+28 quarter hours is +07:00: 08:44:52 local is 01:44:52 UTC");
            uint utc = b.Driver.UtcSeconds(b.Now);
            Assert.IsTrue(utc >= Sim800Script.ClockUtcSeconds && utc <= Sim800Script.ClockUtcSeconds + 2, "UTC now: " + utc.ToString());
            Assert.AreEqual(utc + 90u, b.Driver.UtcSeconds(b.Now + 90000), "the network clock runs on with the device clock");
            Assert.AreEqual(-77, b.Driver.SignalDbm, "+CSQ: 18 is -113 + 2 * 18 dBm");
        }

        [TestMethod]
        public void TheModulesUnsetClockIsNotTakenForNetworkTime()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            at.Expect("AT+CCLK?").Reply("+CCLK: \"04/01/01,00:00:12+00\"", "OK");
            at.Expect("AT+CSQ").Reply("+CSQ: 99,99", "OK");
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual(-1L, b.Driver.NetworkUtcSeconds);
            Assert.AreEqual(0u, b.Driver.UtcSeconds(b.Now), "unknown, not 2004");
            Assert.AreEqual(0, b.Driver.SignalDbm, "99: not known");
        }

        [TestMethod]
        public void SignalIsRefreshedEverySignalPollInterval()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Start(at);
            at.Expect("AT+CSQ").Reply("+CSQ: 31,0", "OK");
            at.Expect("AT+CSQ").Reply("+CSQ: 10,0", "OK");
            Sim800Settings settings = ModemBench.Settings();
            settings.SignalPollMs = 60000;
            ModemBench b = new ModemBench(at, settings);
            b.RunFor(60100);
            Assert.AreEqual(-51, b.Driver.SignalDbm);
            b.RunFor(60000);
            Assert.AreEqual(-93, b.Driver.SignalDbm);
            at.AssertPlayedOut();
        }

        [TestMethod]
        public void ASilentModuleIsSwitchedOnWithAPwrkeyPulse()
        {
            AtTranscript at = new AtTranscript();
            AtStep first = at.Expect("AT"); // no answer: the module is off
            at.Expect("AT");
            AtStep third = at.Expect("AT");
            AtStep press = at.ExpectPowerKey(true);
            AtStep release = at.ExpectPowerKey(false);
            at.Sends(1000, "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready");
            AtStep echoOff = at.Expect("ATE0").Reply("OK");
            at.Expect("AT+CMEE=2").Reply("OK");
            at.Expect("AT+CLTS=1").Reply("OK");
            at.Expect("AT+CSCS=\"IRA\"").Reply("OK");
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(20000);
            Assert.AreEqual(0L, first.PlayedAtMs);
            Assert.AreEqual(2000L, third.PlayedAtMs, "three probes, 1 s each");
            Assert.AreEqual(3000L, press.PlayedAtMs, "PWRKEY once the third probe timed out");
            Assert.AreEqual((long)Sim800Timeouts.PowerKeyPulseMs, release.PlayedAtMs - press.PlayedAtMs);
            Assert.AreEqual(release.PlayedAtMs + 1000, echoOff.PlayedAtMs, "RDY ends the wait for the module");
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
            Assert.AreEqual(0, b.Driver.Recovery.PowerCycles, "a first switch-on is not a recovery");
        }

        [TestMethod]
        public void AModuleThatStaysSilentAfterPwrkeyHasItsSupplyCut()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT");
            at.Expect("AT");
            at.Expect("AT");
            AtStep release = PwrkeyPulse(at);
            AtStep probe = at.Expect("AT").Repeatedly(); // every second while the module may still be booting
            AtStep off = at.ExpectSupply(false);
            AtStep on = at.ExpectSupply(true);
            AtStep press = at.ExpectPowerKey(true);
            at.ExpectPowerKey(false);
            at.Sends(1000, "RDY");
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(40000);
            Assert.AreEqual(release.PlayedAtMs + 2000, probe.FirstPlayedAtMs, "the module gets 2 s before the first probe");
            Assert.AreEqual(release.PlayedAtMs + Sim800Timeouts.BootMs - 1000, probe.PlayedAtMs, "the last probe times out at the boot deadline");
            Assert.AreEqual(release.PlayedAtMs + Sim800Timeouts.BootMs, off.PlayedAtMs);
            Assert.AreEqual((long)Sim800Timeouts.SupplyOffMs, on.PlayedAtMs - off.PlayedAtMs);
            Assert.AreEqual(500L, press.PlayedAtMs - on.PlayedAtMs);
            Assert.AreEqual(1, b.Driver.Recovery.PowerCycles);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        private static AtStep PwrkeyPulse(AtTranscript at)
        {
            at.ExpectPowerKey(true);
            return at.ExpectPowerKey(false);
        }

        [TestMethod]
        public void EchoBeforeAte0IsNotTakenForAnAnswer()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT").Reply("AT", "OK"); // echo is on after power-up: the module repeats the command first
            at.Expect("ATE0").Reply("ATE0", "OK");
            at.Expect("AT+CMEE=2").Reply("OK");
            at.Expect("AT+CLTS=1").Reply("OK");
            at.Expect("AT+CSCS=\"IRA\"").Reply("OK");
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        public void ARefusedSettingIsNotFatal()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            at.Expect("ATE0").Reply("OK");
            at.Expect("AT+CMEE=2").Reply("ERROR");
            at.Expect("AT+CLTS=1").Reply("+CME ERROR: operation not supported"); // old firmware without network time
            at.Expect("AT+CSCS=\"IRA\"").Reply("OK");
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        public void AnErrorToTheProbeIsLineNoiseAndTheProbeIsRepeated()
        {
            AtTranscript at = new AtTranscript();
            AtStep first = at.Expect("AT").Reply("ERROR");
            AtStep again = at.Expect("AT").Reply("OK");
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual(first.PlayedAtMs + ModemBench.StepMs + 200, again.PlayedAtMs, "asked again 200 ms after the ERROR was read");
            Assert.AreEqual(0, b.Driver.Recovery.PowerCycles, "a module that answers is not powered");
        }

        [TestMethod]
        public void NoSimFailsEverythingAtOnceAndTheSimIsAskedAgainEvery10Seconds()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            AtStep first = at.Expect("AT+CPIN?").Reply("+CME ERROR: SIM not inserted");
            AtStep second = at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK"); // reseated
            at.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            int queued = b.Driver.Send("+6281200000001", "HELP", 0);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, 0);
            b.RunUntil(delegate { return first.Times == 1; }, 5000);
            b.RunFor(100);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(queued), "callers learn it now, not at a timeout");
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State);
            Expect.Contains("no usable SIM (+CME ERROR: SIM not inserted)", b.Driver.LastError);
            int later = b.Driver.Send("+6281200000001", "HELP", b.Now);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(later), "while there is no SIM, an SMS fails at once");
            b.Driver.Close(b.Now);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State, "and so does a connection");
            b.Driver.Close(b.Now);
            b.Play(15000);
            Assert.AreEqual(first.PlayedAtMs + ModemBench.StepMs + 10000, second.PlayedAtMs);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
            int afterwards = b.Driver.Send("+6281200000001", "HELP", b.Now);
            Assert.AreEqual((int)SmsSendState.Pending, (int)b.Driver.StateOf(afterwards), "with the SIM back, SMS queue again");
        }

        [TestMethod]
        [DataRow("+CPIN: NOT READY")]
        [DataRow("+CPIN: NOT INSERTED")]
        [DataRow("+CPIN: SIM PIN")]
        [DataRow("+CPIN: SIM PUK")]
        public void OnlyCpinReadyIsAUsableSim(string answer)
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").Reply(answer, "OK");
            ModemBench b = new ModemBench(at);
            int queued = b.Driver.Send("+6281200000001", "HELP", 0);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.CheckingSim, (int)b.Driver.Phase, "\"" + answer + "\" is no SIM to register with: " + b.Why);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(queued));
            Expect.Contains("no usable SIM (" + answer + ")", b.Driver.LastError);
        }

        [TestMethod]
        public void RegistrationIsAskedEveryPollIntervalUntilHomeOrRoaming()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            AtStep searching = at.Expect("AT+CREG?").Reply("+CREG: 0,2", "OK");
            AtStep again = at.Expect("AT+CREG?").Reply("+CREG: 1,0,\"1A2B\",\"00C3\"", "OK");
            AtStep roaming = at.Expect("AT+CREG?").Reply("+CREG: 0,5", "OK");
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(10000);
            long interval = ModemBench.StepMs + 2000; // the answer is read one bench turn after the question
            Assert.AreEqual(searching.PlayedAtMs + interval, again.PlayedAtMs);
            Assert.AreEqual(again.PlayedAtMs + interval, roaming.PlayedAtMs);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, "5 (roaming) is registered");
        }

        [TestMethod]
        public void TheAnswerToCregIsTakenEvenThoughItLooksUnsolicited()
        {
            // +CREG: is also an unsolicited code (after AT+CREG=1); while AT+CREG? waits it is the answer.
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            at.Expect("AT+CREG?").Reply("+CREG: 1", "+CREG: 0,1", "OK");
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            b.Play(5000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
        }

        [TestMethod]
        public void NoRegistrationWithinTheTimeoutResetsTheModuleThenPowerCyclesIt()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            AtStep sim = at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            AtStep searching = at.Expect("AT+CREG?").Reply("+CREG: 0,2", "OK").Repeatedly();
            AtStep reset = at.Expect("AT+CFUN=1,1").Reply("OK");
            at.Sends(2000, "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready");
            Sim800Script.Configure(at);
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            AtStep denied = at.Expect("AT+CREG?").Reply("+CREG: 0,3", "OK").Repeatedly();
            AtStep off = at.ExpectSupply(false);
            at.ExpectSupply(true);
            PwrkeyPulse(at);
            at.Sends(1000, "RDY");
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            int queued = b.Driver.Send("+6281200000001", "HELP", 0);
            b.RunUntil(delegate { return reset.Times == 1; }, 70000);
            long registering = sim.PlayedAtMs + ModemBench.StepMs;
            Assert.IsTrue(searching.PlayedAtMs + ModemBench.StepMs >= registering + 60000, "60 s of searching before the reset (last query " + searching.PlayedAtMs.ToString() + " ms)");
            Assert.IsTrue(searching.PlayedAtMs + ModemBench.StepMs < registering + 60000 + 2010, "not much longer");
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(queued), "SMS that cannot go are reported, not held");
            Expect.Contains("not registered on the network", b.Driver.LastError);
            b.RunUntil(delegate { return off.Times == 1; }, 80000);
            Expect.Contains("registration denied", b.Driver.LastError);
            Assert.AreEqual(1, b.Driver.Recovery.Resets);
            Assert.AreEqual(1, b.Driver.Recovery.PowerCycles, "after a reset the next registration failure cuts the supply");
            b.Play(20000);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase);
            Assert.IsTrue(denied.Times > 20, "denied for a minute: " + denied.Times.ToString());
        }
    }
}
