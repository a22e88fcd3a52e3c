using PanicDevice.Core.Calls;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Calls
{
    /// <summary>The call policy against a voice fake and a clock the test moves (docs/delivery.md, Calls).</summary>
    [TestClass]
    public class CallCascadeTests
    {
        private static string Connected = ((int)CallEvent.EmergencyConnected).ToString() + "/0";

        [TestMethod]
        public void NothingIsCalledBeforeTheSmsFallbackUnlessCallsStartAtOnce()
        {
            CascadeRig r = new CascadeRig(CascadeRig.Defaults());
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Run(60000);
            Assert.AreEqual(0, r.Voice.Placed.Count, "the data path had its chance first");
            r.Cascade.TextedForHelp(r.Now);
            r.Run(200);
            Assert.AreEqual(CascadeRig.Emergency, r.Voice.Numbers);

            CallOptions o = CascadeRig.Defaults();
            o.AtOnce = true;
            CascadeRig once = new CascadeRig(o);
            once.Cascade.FrameWaiting(0); // the alert frame, as the engine stores it
            once.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            once.Run(19000);
            Assert.AreEqual(0, once.Voice.Placed.Count, "the alert frame goes first");
            once.Cascade.FrameSettled(once.Now); // acknowledged
            once.Run(200);
            Assert.AreEqual(CascadeRig.Emergency, once.Voice.Numbers);
        }

        [TestMethod]
        public void TheEmergencyCallIsHeldForItsTimeWithTheMicrophoneOpenThenGuardiansAreCalled()
        {
            CascadeRig r = CascadeRig.Started();
            Assert.AreEqual(1, r.Voice.Placed.Count);
            Assert.IsFalse(r.Voice.Call(0).Speaker, "listen-only unless the profile turns the speaker on");
            r.Voice.Rings();
            r.Run(3000);
            r.Voice.Answers();
            long answeredAt = r.Now;
            r.Run(200);
            Assert.AreEqual(Connected, r.Reports.Sequence);
            r.Run(r.Options.EmergencyHoldS * 1000L - 1000);
            Assert.AreEqual(-1L, r.Voice.Call(0).HungUpAtMs, "still on the line");
            r.Run(1500);
            long held = r.Voice.Call(0).HungUpAtMs - answeredAt;
            Assert.IsTrue(held >= r.Options.EmergencyHoldS * 1000L && held <= r.Options.EmergencyHoldS * 1000L + 300, "held " + held.ToString() + " ms");
            r.Run(r.Options.GapS * 1000L + 200);
            Assert.AreEqual(CascadeRig.Emergency + " " + CascadeRig.Siti, r.Voice.Numbers);
        }

        [TestMethod]
        public void AGuardianConfirmsWithTheKeyAndNoOneElseIsCalled()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Ends(CallEnd.Busy); // 112 busy
            r.Run(r.Options.GapS * 1000L + 200);
            Assert.AreEqual(CascadeRig.Emergency + " " + CascadeRig.Siti, r.Voice.Numbers);
            r.Voice.Answers();
            r.Run(1000);
            r.Voice.Press("5"); // a wrong key confirms nothing
            r.Run(1000);
            Assert.IsFalse(r.Cascade.Confirmed);
            r.Voice.Press("1");
            r.Run(200);
            Assert.IsTrue(r.Cascade.Confirmed);
            Assert.AreEqual(((int)CallEvent.GuardianConfirmed).ToString() + "/1", r.Reports.Sequence);
            r.Run(r.Options.GuardianHoldS * 1000L + 500);
            Assert.IsTrue(r.Voice.Call(1).HungUpAtMs > 0, "hung up after the hold time");
            // 112 is still owed a call in the next round; Budi is not called: Siti has it.
            r.Run(r.Options.RoundPauseS * 1000L + r.Options.GapS * 1000L + 500);
            Assert.AreEqual(CascadeRig.Emergency + " " + CascadeRig.Siti + " " + CascadeRig.Emergency, r.Voice.Numbers);
        }

        [TestMethod]
        public void AVoicemailIsNotAConfirmationAndTheNextGuardianIsCalled()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Ends(CallEnd.NoAnswer);
            r.Run(r.Options.GapS * 1000L + 200);
            r.Voice.Answers(); // the voicemail picks up and never presses a key
            long answeredAt = r.Now;
            r.Run(r.Options.ConfirmS * 1000L + 300);
            Assert.IsFalse(r.Cascade.Confirmed);
            long waited = r.Voice.Call(1).HungUpAtMs - answeredAt;
            Assert.IsTrue(waited >= r.Options.ConfirmS * 1000L && waited <= r.Options.ConfirmS * 1000L + 200, "hung up after " + waited.ToString() + " ms");
            r.Run(r.Options.GapS * 1000L + 200);
            Assert.AreEqual(CascadeRig.Emergency + " " + CascadeRig.Siti + " " + CascadeRig.Budi, r.Voice.Numbers);
            Assert.AreEqual("", r.Reports.Sequence);
        }

        [TestMethod]
        public void ACallNotAnsweredWithinTheRingTimeIsHungUp()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Rings();
            r.Run(r.Options.RingS * 1000L + 300);
            Assert.IsTrue(r.Voice.Call(0).HungUpAtMs >= r.Options.RingS * 1000L, "hung up at the ring time");
            r.Run(r.Options.GapS * 1000L);
            Assert.AreEqual(CascadeRig.Emergency + " " + CascadeRig.Siti, r.Voice.Numbers);
        }

        [TestMethod]
        public void TheRingTimeRunsFromTheDialCommandNotFromWhenItWasQueued()
        {
            CascadeRig r = new CascadeRig(CascadeRig.Defaults());
            r.Voice.DialQueued = true;
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Cascade.TextedForHelp(0);
            r.Run(200);
            Assert.AreEqual(1, r.Voice.Placed.Count);
            r.Run(5000); // the ATD waits behind an SMS
            r.Voice.DialNow();
            long dialledAt = r.Now;
            r.Voice.Rings();
            r.Run(r.Options.RingS * 1000L - 500);
            Assert.AreEqual(-1L, r.Voice.Call(0).HungUpAtMs, "still ringing: the queue's 5 s are not taken from the ring time");
            r.Run(800);
            long rang = r.Voice.Call(0).HungUpAtMs - dialledAt;
            Assert.IsTrue(rang >= r.Options.RingS * 1000L && rang <= r.Options.RingS * 1000L + 300, "rang " + rang.ToString() + " ms");
        }

        [TestMethod]
        public void RoundsEndAtTheLimitWithAReportOfWhoNeverAnswered()
        {
            CallOptions o = CascadeRig.Defaults();
            o.Rounds = 2;
            CascadeRig r = new CascadeRig(o);
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Cascade.TextedForHelp(0);
            for (int i = 0; i < 6; i++)
            {
                r.Voice.Ends(CallEnd.Busy);
                r.Run(o.RoundPauseS * 1000L + o.GapS * 1000L + 200);
            }
            string round = CascadeRig.Emergency + " " + CascadeRig.Siti + " " + CascadeRig.Budi;
            Assert.AreEqual(round + " " + round, r.Voice.Numbers);
            Assert.IsFalse(r.Cascade.Running);
            Assert.AreEqual(((int)CallEvent.NoGuardianConfirmed).ToString() + "/0 " + ((int)CallEvent.EmergencyUnanswered).ToString() + "/0", r.Reports.Sequence);
        }

        [TestMethod]
        public void AnOperatorTakingTheAlertStopsTheCascade()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Ends(CallEnd.Busy);
            r.Run(r.Options.GapS * 1000L + 200);
            r.Voice.Rings(); // Siti's phone rings
            r.Cascade.OperatorHasIt(r.Now);
            r.Run(100);
            Assert.IsTrue(r.Voice.Call(1).HungUpAtMs > 0, "the ringing call ends");
            r.Run(600000);
            Assert.AreEqual(2, r.Voice.Placed.Count, "nobody else is called");
            Assert.IsFalse(r.Cascade.Running);
            Assert.AreEqual("", r.Reports.Sequence, "no 'nobody answered' when an operator has it");
        }

        [TestMethod]
        public void AnAnsweredEmergencyCallRunsItsTimeWhenAnOperatorTakesTheAlert()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Answers();
            r.Run(1000);
            r.Cascade.OperatorHasIt(r.Now);
            r.Run(60000);
            Assert.AreEqual(-1L, r.Voice.Call(0).HungUpAtMs, "112 is not cut off");
            r.Run(r.Options.EmergencyHoldS * 1000L);
            Assert.IsTrue(r.Voice.Call(0).HungUpAtMs > 0);
            Assert.AreEqual(1, r.Voice.Placed.Count);
        }

        [TestMethod]
        public void APlainCancelEndsTheCallAndTheCascade()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Answers();
            r.Run(1000);
            r.Cascade.FrameWaiting(r.Now);
            r.Cascade.Cancelled(false, r.Now);
            r.Run(100);
            Assert.IsTrue(r.Voice.Call(0).HungUpAtMs > 0);
            r.Run(600000);
            Assert.AreEqual(1, r.Voice.Placed.Count);
            Assert.IsFalse(r.Cascade.Running);
        }

        [TestMethod]
        public void ANewAlertRightAfterACancelGetsCallsOfItsOwn()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Answers(); // 112 on the line
            r.Run(1000);
            r.Cascade.FrameWaiting(r.Now);
            r.Cascade.Cancelled(false, r.Now); // "I am safe" …
            r.Cascade.FrameWaiting(r.Now);
            r.Cascade.AlertRaised((byte)AlertCode.Panic, r.Now); // … and a new panic before the hang-up finished
            r.Run(100);
            Assert.IsTrue(r.Voice.Call(0).HungUpAtMs > 0);
            r.Cascade.TextedForHelp(r.Now); // its own SMS fallback
            r.Run(r.Options.YieldS * 1000L + 1000);
            Assert.AreEqual(2, r.Voice.Placed.Count, r.Voice.Numbers);
            Assert.AreEqual(CascadeRig.Emergency, r.Voice.LastCall.Number, "from the top of the list");
        }

        [TestMethod]
        public void PressingAgainAfterTheRoundsRanOutCallsEveryoneAgain()
        {
            CallOptions o = CascadeRig.Defaults();
            o.Rounds = 1;
            CascadeRig r = new CascadeRig(o);
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Cascade.TextedForHelp(0);
            for (int i = 0; i < 3; i++)
            {
                r.Voice.Ends(CallEnd.Busy);
                r.Run(o.GapS * 1000L + 200);
            }
            Assert.IsFalse(r.Cascade.Running);
            Assert.AreEqual(3, r.Voice.Placed.Count);
            r.Cascade.FrameWaiting(r.Now);
            r.Cascade.AlertRaised((byte)AlertCode.Panic, r.Now); // the same emergency, pressed again
            r.Cascade.TextedForHelp(r.Now);
            r.Run(o.YieldS * 1000L + 1000);
            Assert.AreEqual(4, r.Voice.Placed.Count, r.Voice.Numbers);
            Assert.AreEqual(CascadeRig.Emergency, r.Voice.LastCall.Number);
        }

        [TestMethod]
        public void ADuressCancelSilencesTheSpeakerAndTheCallsGoOn()
        {
            CallOptions o = CascadeRig.Defaults();
            o.Speaker = true;
            CascadeRig r = new CascadeRig(o);
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Cascade.TextedForHelp(0);
            Assert.IsTrue(r.Voice.Call(0).Speaker, "two-way audio as the profile asks");
            r.Voice.Rings();
            r.Run(1000);
            r.Cascade.FrameWaiting(r.Now); // the duress cancel frame
            r.Cascade.Cancelled(true, r.Now);
            Assert.AreEqual(1, r.Voice.SpeakerOffs, "silenced at once");
            r.Run(100);
            Assert.IsTrue(r.Voice.Call(0).HungUpAtMs > 0, "the call makes way for the duress frame");
            r.Run(o.YieldS * 1000L + 200);
            Assert.AreEqual(2, r.Voice.Placed.Count, "the same number is called again");
            Assert.AreEqual(CascadeRig.Emergency, r.Voice.Call(1).Number);
            Assert.IsFalse(r.Voice.Call(1).Speaker, "and nothing speaks on the device");
            Assert.IsTrue(r.Cascade.Running);
        }

        [TestMethod]
        public void AHoldUpNeverTurnsTheSpeakerOn()
        {
            CallOptions o = CascadeRig.Defaults();
            o.Speaker = true;
            CascadeRig r = new CascadeRig(o);
            r.Cascade.AlertRaised((byte)AlertCode.HoldUp, 0);
            r.Cascade.TextedForHelp(0);
            Assert.IsFalse(r.Voice.Call(0).Speaker);
        }

        [TestMethod]
        public void ATestNeverCallsTheEmergencyNumberAndAFaultCallsNobody()
        {
            CascadeRig r = new CascadeRig(CascadeRig.Defaults());
            r.Cascade.AlertRaised((byte)AlertCode.Test, 0);
            r.Cascade.TextedForHelp(0);
            for (int i = 0; i < 10; i++)
            {
                r.Voice.Ends(CallEnd.Busy);
                r.Run(30000);
            }
            Assert.IsTrue(r.Voice.Placed.Count >= 2);
            Assert.AreEqual(-1, (" " + r.Voice.Numbers + " ").IndexOf(" " + CascadeRig.Emergency + " "), r.Voice.Numbers);
            Assert.AreEqual(((int)CallEvent.NoGuardianConfirmed).ToString() + "/0", r.Reports.Sequence, "no 'emergency unanswered': it was never called");

            CascadeRig f = new CascadeRig(CascadeRig.Defaults());
            f.Cascade.AlertRaised((byte)AlertCode.ButtonFault, 0);
            f.Cascade.TextedForHelp(0);
            f.Run(120000);
            Assert.AreEqual(0, f.Voice.Placed.Count);
        }

        [TestMethod]
        public void ANewFrameEndsTheCallAndTheSameNumberIsCalledAfterTheYield()
        {
            CascadeRig r = CascadeRig.Started();
            r.Voice.Ends(CallEnd.Busy);
            r.Run(r.Options.GapS * 1000L + 200);
            r.Voice.Rings(); // Siti
            r.Cascade.FrameWaiting(r.Now); // the wearer pressed again
            r.Run(100);
            Assert.IsTrue(r.Voice.Call(1).HungUpAtMs > 0, "hung up at once");
            long hungUp = r.Voice.Call(1).HungUpAtMs;
            r.Run(r.Options.YieldS * 1000L - 500);
            Assert.AreEqual(2, r.Voice.Placed.Count, "the data path has the module");
            r.Run(1000);
            Assert.AreEqual(CascadeRig.Siti, r.Voice.LastCall.Number, "Siti again, not Budi");
            Assert.IsTrue(r.Voice.LastCall.AtMs - hungUp >= r.Options.YieldS * 1000L);
        }

        [TestMethod]
        public void AGuardianCallingBackIsAnsweredSilentlyAndAStrangerIsRefused()
        {
            CascadeRig r = new CascadeRig(CascadeRig.Defaults());
            r.Voice.RingsIn("081200000001"); // Siti, national form
            r.Run(200);
            Assert.AreEqual(1, r.Voice.Refused, "no alert open: refused");
            r.Cascade.AlertRaised((byte)AlertCode.Panic, r.Now);
            r.Voice.RingsIn("+6281299999999");
            r.Run(200);
            Assert.AreEqual(2, r.Voice.Refused, "a stranger is refused");
            r.Voice.RingsIn("081200000001");
            r.Run(200);
            Assert.AreEqual(1, r.Voice.Answered);
            Assert.IsFalse(r.Voice.AnsweredWithSpeaker, "listen-in is silent");
            Assert.AreEqual(((int)CallEvent.ListenedIn).ToString() + "/1", r.Reports.Sequence);
            r.Voice.Ends(CallEnd.Dropped);
            r.Voice.RingsIn("+62215550000"); // the command centre
            r.Run(200);
            Assert.AreEqual(2, r.Voice.Answered);
            Assert.AreEqual(((int)CallEvent.ListenedIn).ToString() + "/1 " + ((int)CallEvent.ListenedIn).ToString() + "/" + CallReport.CallBackNumber.ToString(), r.Reports.Sequence);
            r.Voice.Ends(CallEnd.Dropped);
            r.Cascade.Closed(r.Now);
            r.Run(r.Options.ListenInAfterS * 1000L - 1000);
            r.Voice.RingsIn("+6281200000002");
            r.Run(200);
            Assert.AreEqual(3, r.Voice.Answered, "still within the time after the alert");
            r.Voice.Ends(CallEnd.Dropped);
            r.Run(2000);
            r.Voice.RingsIn("+6281200000002");
            r.Run(200);
            Assert.AreEqual(3, r.Voice.Answered, "too late");
            Assert.AreEqual(3, r.Voice.Refused);
        }

        [TestMethod]
        public void AWithheldNumberIsRefusedOnceCallerIdHadTimeToCome()
        {
            CascadeRig r = new CascadeRig(CascadeRig.Defaults());
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Voice.RingsIn("");
            r.Run(CallCascade.CallerIdWaitMs - 500);
            Assert.AreEqual(0, r.Voice.Refused, "waits for +CLIP");
            r.Run(1000);
            Assert.AreEqual(1, r.Voice.Refused);
            Assert.AreEqual(0, r.Voice.Answered);
        }

        [TestMethod]
        public void ListenInIsOffUnlessTheProfileTurnsItOn()
        {
            CallOptions o = CascadeRig.Defaults();
            o.ListenIn = false;
            CascadeRig r = new CascadeRig(o);
            r.Cascade.AlertRaised((byte)AlertCode.Panic, 0);
            r.Voice.RingsIn(CascadeRig.Siti);
            r.Run(200);
            Assert.AreEqual(0, r.Voice.Answered);
            Assert.AreEqual(1, r.Voice.Refused);
        }

        [TestMethod]
        public void CallerIdsMatchInNationalAndInternationalForm()
        {
            Assert.IsTrue(CallerNumbers.Same("081234567890", "+6281234567890"));
            Assert.IsTrue(CallerNumbers.Same("+62 812-3456-7890", "6281234567890"));
            Assert.IsFalse(CallerNumbers.Same("081234567891", "+6281234567890"));
            Assert.IsFalse(CallerNumbers.Same("", "+6281234567890"));
            Assert.IsFalse(CallerNumbers.Same(null, "112"));
            Assert.IsTrue(CallerNumbers.Same("112", "112"));
            Assert.IsFalse(CallerNumbers.Same("1112", "112"), "short numbers match whole");
        }

        [TestMethod]
        public void OptionsOutOfRangeAreRefused()
        {
            CallOptions o = CascadeRig.Defaults();
            o.ConfirmKey = "x";
            Expect.Contains("confirmKey", o.Validate());
            o = CascadeRig.Defaults();
            o.Rounds = 0;
            Expect.Contains("rounds", o.Validate());
            o = CascadeRig.Defaults();
            o.CallBackNumbers = new string[] { "12ab" };
            Expect.Contains("callBackNumbers[0]", o.Validate());
            Assert.IsNull(CascadeRig.Defaults().Validate());
        }
    }
}
