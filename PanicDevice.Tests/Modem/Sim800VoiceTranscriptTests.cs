using System;
using System.Text;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>The SIM800 voice call over a strict AT transcript (SIM800 Series AT Command Manual V1.09 wording).</summary>
    [TestClass]
    public class Sim800VoiceTranscriptTests
    {
        private const string Siti = "+6281200000001";

        /// <summary>Caller id, call reports, DTMF detection, a silent ringer and the microphone gain.</summary>
        private static void VoiceSetup(AtTranscript at)
        {
            at.Expect("AT+CLIP=1").Reply("OK");
            at.Expect("AT+CLCC=1").Reply("OK");
            at.Expect("AT+DDET=1,0,0").Reply("OK");
            at.Expect("AT+CRSL=0").Reply("OK");
            at.Expect("AT+CMIC=0,10").Reply("OK");
        }

        private static string Clcc(int stat, bool outgoing)
        {
            return "+CLCC: 1," + (outgoing ? "0" : "1") + "," + stat.ToString() + ",0,0,\"" + Siti + "\",145,\"\"";
        }

        /// <summary>A bench at Ready with the voice set up, and Siti's phone answered on a call the driver placed silently.</summary>
        private static ModemBench InCall()
        {
            ModemBench b = ModemBench.Started();
            VoiceSetup(b.At);
            b.At.Expect("AT+CLVL=0").Reply("OK");
            b.At.Expect("ATD" + Siti + ";").Reply("OK", Clcc(2, true)).After(800).Reply(Clcc(3, true)).After(3000).Reply(Clcc(0, true));
            b.Driver.Dial(Siti, false, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)CallState.Connected, (int)b.Driver.CallState, b.Why);
            return b;
        }

        [TestMethod]
        public void AVoiceDeviceSetsUpCallerIdReportsKeysAndASilentRingerOnceReady()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            VoiceSetup(at); // before anything but SMS: a guardian may call back at any moment
            Sim800Script.Ready(at);
            Sim800Settings s = ModemBench.Settings();
            s.Voice = true;
            ModemBench b = new ModemBench(at, s);
            b.Play(10000);
            Assert.IsTrue(b.Driver.Available);
            Assert.IsTrue(b.Driver.HearsKeys);
        }

        [TestMethod]
        public void ACallRingsIsAnsweredHearsTheKeysAndIsHungUp()
        {
            ModemBench b = ModemBench.Started();
            VoiceSetup(b.At);
            b.At.Expect("AT+CLVL=0").Reply("OK");
            AtStep dial = b.At.Expect("ATD" + Siti + ";").Reply("OK", Clcc(2, true)).After(800).Reply(Clcc(3, true));
            int id = b.Driver.Dial(Siti, false, b.Now);
            Assert.IsTrue(id > 0);
            Assert.IsFalse(b.Driver.Available, "one call at a time");
            Assert.AreEqual(0, b.Driver.Dial("+6281200000002", false, b.Now), "a second call is refused while one is under way");
            b.Play(5000);
            Assert.AreEqual((int)CallState.Ringing, (int)b.Driver.CallState);
            b.At.Sends(0, Clcc(0, true)).After(1000).Reply("+DTMF: 5").After(500).Reply("+DTMF:1,160");
            b.Play(5000);
            Assert.AreEqual((int)CallState.Connected, (int)b.Driver.CallState);
            Assert.AreEqual("51", b.Driver.TakeKeys(), "both report modes");
            Assert.AreEqual("", b.Driver.TakeKeys(), "taken once");
            b.At.Expect("ATH").Reply("OK", Clcc(6, true));
            b.Driver.HangUp(b.Now);
            b.Play(5000);
            Assert.AreEqual((int)CallState.Idle, (int)b.Driver.CallState);
            Assert.AreEqual((int)CallEnd.HungUp, (int)b.Driver.LastEnd);
            Assert.AreEqual(id, b.Driver.CallId);
            Assert.IsTrue(b.Driver.Available);
        }

        [TestMethod]
        [DataRow("BUSY", (int)CallEnd.Busy)]
        [DataRow("NO ANSWER", (int)CallEnd.NoAnswer)]
        [DataRow("NO CARRIER", (int)CallEnd.Dropped)]
        [DataRow("NO DIALTONE", (int)CallEnd.Failed)]
        public void ACallResultInsteadOfOkEndsTheCallAtOnce(string result, int end)
        {
            ModemBench b = ModemBench.Started();
            VoiceSetup(b.At);
            b.At.Expect("AT+CLVL=0").Reply("OK");
            b.At.Expect("ATD" + Siti + ";").After(1500).Reply(result);
            b.Driver.Dial(Siti, false, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)CallState.Idle, (int)b.Driver.CallState);
            Assert.AreEqual(end, (int)b.Driver.LastEnd);
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, "a call result is not a dead module");
        }

        [TestMethod]
        public void TheFarEndHangingUpDuringAnSmsIsHeardAndTheSmsStillGoes()
        {
            ModemBench b = InCall();
            // The call result lands in the middle of the SMS's answer: it must reach the call, not the SMS.
            b.At.Expect("AT+CMGF=1").Reply(Clcc(6, true), "NO CARRIER", "OK");
            b.At.Expect("AT+CMGS=\"112\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).Reply("+CMGS: 4", "OK");
            int sms = b.Driver.Send("112", "HELP", b.Now);
            b.Play(5000);
            Assert.AreEqual((int)CallState.Idle, (int)b.Driver.CallState);
            Assert.AreEqual((int)CallEnd.Dropped, (int)b.Driver.LastEnd);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(sms));
        }

        [TestMethod]
        public void ACallerIsAnsweredSilentlyWithTheirNumberShown()
        {
            ModemBench b = ModemBench.Started();
            b.At.Sends(100, "RING", "+CLIP: \"" + Siti + "\",145,\"\",0,\"\",0");
            b.Play(2000);
            Assert.AreEqual((int)CallState.Incoming, (int)b.Driver.CallState);
            Assert.AreEqual(Siti, b.Driver.IncomingNumber);
            VoiceSetup(b.At);
            b.At.Expect("AT+CLVL=0").Reply("OK");
            b.At.Expect("ATA").Reply("OK", Clcc(0, false));
            b.Driver.Answer(false, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)CallState.Connected, (int)b.Driver.CallState);
        }

        [TestMethod]
        public void ACallerWhoStopsRingingUnreportedIsForgottenAndCallsCanGoAgain()
        {
            ModemBench b = ModemBench.Started();
            b.At.Sends(100, "RING", "+CLIP: \"" + Siti + "\",145,\"\",0,\"\",0");
            b.Play(2000);
            Assert.AreEqual((int)CallState.Incoming, (int)b.Driver.CallState);
            Assert.IsFalse(b.Driver.Available, "no call out while one rings in");
            b.RunFor(Sim800Voice.RingGoneMs + 1000); // no NO CARRIER ever came
            Assert.AreEqual((int)CallState.Idle, (int)b.Driver.CallState);
            Assert.IsTrue(b.Driver.Available);
        }

        [TestMethod]
        public void ARefusedCallerIsNotTheEndOfTheLastCall()
        {
            ModemBench b = InCall();
            b.At.Expect("ATH").Reply("OK");
            b.Driver.HangUp(b.Now);
            b.Play(3000);
            int last = b.Driver.CallId;
            b.At.Sends(100, "RING", "+CLIP: \"+6289999999999\",145,\"\",0,\"\",0");
            b.Play(2000);
            b.At.Expect("ATH").Reply("OK");
            b.Driver.HangUp(b.Now);
            b.Play(3000);
            Assert.AreEqual((int)CallState.Idle, (int)b.Driver.CallState);
            Assert.AreEqual(last, b.Driver.CallId);
            Assert.AreEqual((int)CallEnd.HungUp, (int)b.Driver.LastEnd);
            Assert.IsNull(b.Driver.IncomingNumber);
        }

        [TestMethod]
        public void AModuleRestartMidCallEndsItAsFailedAndSetsTheVoiceUpAgain()
        {
            ModemBench b = InCall();
            b.At.Sends(100, "RDY", "+CFUN: 1", "+CPIN: READY", "Call Ready", "SMS Ready");
            Sim800Script.Configure(b.At);
            Sim800Script.SimAndNetwork(b.At);
            Sim800Script.Ready(b.At);
            b.Play(10000);
            Assert.AreEqual((int)CallState.Idle, (int)b.Driver.CallState);
            Assert.AreEqual((int)CallEnd.Failed, (int)b.Driver.LastEnd);
            // The next call sets caller id, reports and keys up again: the module forgot them.
            VoiceSetup(b.At);
            b.At.Expect("AT+CLVL=0").Reply("OK");
            b.At.Expect("ATD" + Siti + ";").Reply("OK");
            b.Driver.Dial(Siti, false, b.Now);
            b.Play(5000);
        }

        [TestMethod]
        public void NoDataGoesToTheModuleWhileACallIsUpAndItGoesAfter()
        {
            ModemBench b = ModemBench.Connected();
            VoiceSetup(b.At);
            b.At.Expect("AT+CLVL=0").Reply("OK");
            b.At.Expect("ATD" + Siti + ";").Reply("OK", Clcc(0, true));
            b.Driver.Dial(Siti, false, b.Now);
            b.Play(5000);
            byte[] hello = Encoding.UTF8.GetBytes("HELLO");
            b.Driver.Send(hello, 0, hello.Length, b.Now);
            b.Play(5000); // nothing: a SIM800 suspends GPRS during the call
            b.At.Expect("ATH").Reply("OK");
            b.At.Expect("AT+CIPSEND=5").Prompt().ExpectText("HELLO").Reply("DATA ACCEPT:5");
            b.Driver.HangUp(b.Now);
            b.Play(5000);
        }

        [TestMethod]
        public void FirmwareWithoutDtmfDetectionIsReported()
        {
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CLIP=1").Reply("OK");
            b.At.Expect("AT+CLCC=1").Reply("OK");
            b.At.Expect("AT+DDET=1,0,0").Reply("ERROR");
            b.At.Expect("AT+CRSL=0").Reply("OK");
            b.At.Expect("AT+CMIC=0,10").Reply("OK");
            b.At.Expect("AT+CLVL=0").Reply("OK");
            b.At.Expect("ATD" + Siti + ";").Reply("OK");
            b.Driver.Dial(Siti, false, b.Now);
            b.Play(5000);
            Assert.IsFalse(b.Driver.HearsKeys);
            Expect.Contains("DTMF", b.Driver.LastError);
        }

        [TestMethod]
        public void ANumberAnAtLineCouldMisreadIsNeverDialled()
        {
            ModemBench b = ModemBench.Started();
            Assert.AreEqual(0, b.Driver.Dial("112;ATH", false, b.Now));
            Assert.AreEqual(0, b.Driver.Dial("", false, b.Now));
            Assert.AreEqual(0, b.Driver.Dial(null, false, b.Now));
            b.RunFor(2000); // and nothing was sent: the transcript is played out
            b.At.AssertPlayedOut();
        }
    }
}
