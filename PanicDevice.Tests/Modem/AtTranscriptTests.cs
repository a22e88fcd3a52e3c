using System;
using System.Text;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>The transcript stand-in itself: it must catch a driver that strays, and say where.</summary>
    [TestClass]
    public class AtTranscriptTests
    {
        /// <summary>Runs the action and returns the message of what it threw (either framework's assertion), or null.</summary>
        private static string FailureOf(Action action)
        {
            try
            {
                action();
            }
            catch (Exception e)
            {
                return e.Message;
            }
            return null;
        }

        private static void Send(AtTranscript at, string text)
        {
            byte[] b = Encoding.UTF8.GetBytes(text);
            at.Write(b, 0, b.Length);
        }

        private static string ReadAll(AtTranscript at)
        {
            byte[] buffer = new byte[256];
            int n = at.Read(buffer, 0, buffer.Length);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }

        [TestMethod]
        public void AnUnexpectedCommandFailsNamingTheStepAndWhatCame()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT").Reply("OK");
            at.Expect("ATE0").Reply("OK");
            Send(at, "AT\r");
            Assert.AreEqual("\r\nOK\r\n", ReadAll(at));
            string failure = FailureOf(() => Send(at, "AT+CSQ\r"));
            Assert.IsNotNull(failure, "the stray command failed the test");
            Expect.Contains("step 2 of 2 (expects \"ATE0\")", failure);
            Expect.Contains("the driver sent \"AT+CSQ\"", failure);
            Expect.Contains("last played: step 1 of 2", failure);
            Assert.IsNotNull(FailureOf(() => at.AssertPlayedOut()), "a failure caught on the way still fails at the end");
        }

        [TestMethod]
        public void UnplayedStepsFailAtTheEnd()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT").Reply("OK");
            at.Expect("ATE0").Reply("OK");
            Send(at, "AT\r");
            string failure = FailureOf(() => at.AssertPlayedOut());
            Expect.Contains("stopped at step 2 of 2 (expects \"ATE0\")", failure);
            Expect.Contains("never sent it", failure);
            Assert.IsFalse(at.PlayedOut);
        }

        [TestMethod]
        public void RepliesWaitForTheClock()
        {
            AtTranscript at = new AtTranscript();
            AtStep step = at.Expect("AT+CIICR").After(500).Reply("OK");
            at.Poll(100);
            Send(at, "AT+CIICR\r");
            Assert.AreEqual(100L, step.PlayedAtMs);
            at.Poll(599);
            Assert.AreEqual("", ReadAll(at));
            Expect.Contains("reply \"OK\" is due at 600 ms", FailureOf(() => at.AssertPlayedOut()));
            at.Poll(600);
            Assert.AreEqual("\r\nOK\r\n", ReadAll(at));
            at.AssertPlayedOut();
        }

        [TestMethod]
        public void ACommandBeforeTheLastAnswerWentOutIsOutOfTurn()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT").After(500).Reply("OK");
            at.Expect("ATE0");
            Send(at, "AT\r");
            at.Poll(100);
            Expect.Contains("is not finished (reply \"OK\" is due at 500 ms)", FailureOf(() => Send(at, "ATE0\r")));
        }

        [TestMethod]
        public void DataAfterThePromptIsCheckedByteByByte()
        {
            AtTranscript at = new AtTranscript();
            AtStep send = at.Expect("AT+CIPSEND=3").Prompt().ExpectText("abc").Reply("DATA ACCEPT:3");
            Send(at, "AT+CIPSEND=3\r");
            Assert.AreEqual("\r\n> ", ReadAll(at));
            at.Poll(20);
            Send(at, "ab");
            Assert.AreEqual("", ReadAll(at), "nothing until the data is complete");
            Send(at, "c");
            Assert.AreEqual(20L, send.DataAtMs);
            Assert.AreEqual("\r\nDATA ACCEPT:3\r\n", ReadAll(at));

            AtTranscript other = new AtTranscript();
            other.Expect("AT+CMGS=\"112\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).Reply("+CMGS: 1", "OK");
            Send(other, "AT+CMGS=\"112\"\r");
            string failure = FailureOf(() => Send(other, "HELO" + AtTranscript.CtrlZ));
            Expect.Contains("data differs at byte 3", failure);
            Expect.Contains("\"HELP\\x1A\"", failure);
        }

        [TestMethod]
        public void PowerChangesAreStepsInOrder()
        {
            AtTranscript at = new AtTranscript();
            at.ExpectPowerKey(true);
            AtStep release = at.ExpectPowerKey(false);
            at.ExpectSupply(false);
            at.SetPowerKey(true);
            at.Poll(1200);
            at.SetPowerKey(false);
            Assert.AreEqual(1200L, release.PlayedAtMs);
            Expect.Contains("step 3 of 3 (expects supply off) is next, but the driver asserted PWRKEY", FailureOf(() => at.SetPowerKey(true)));
        }

        [TestMethod]
        public void UnaskedAndTimedLinesComeOnTheClock()
        {
            AtTranscript at = new AtTranscript();
            at.Expect("AT").Reply("OK");
            at.Sends(1000, "RDY");
            at.SendsAt(300, "+CMTI: \"SM\",1");
            Send(at, "AT\r");
            Assert.AreEqual("\r\nOK\r\n", ReadAll(at));
            at.Poll(299);
            Assert.AreEqual("", ReadAll(at));
            at.Poll(300);
            Assert.AreEqual("\r\n+CMTI: \"SM\",1\r\n", ReadAll(at), "a timed line comes whatever step the script is at");
            at.Poll(1000);
            Assert.AreEqual("\r\nRDY\r\n", ReadAll(at), "1000 ms after the step before it");
            at.AssertPlayedOut();
        }

        [TestMethod]
        public void ARepeatedStepPlaysUntilTheNextStepsCommandComes()
        {
            AtTranscript at = new AtTranscript();
            AtStep poll = at.Expect("AT+CREG?").Reply("+CREG: 0,2", "OK").Repeatedly();
            at.Expect("AT+CFUN=1,1").Reply("OK");
            for (int i = 0; i < 3; i++)
            {
                at.Poll(i * 2000);
                Send(at, "AT+CREG?\r");
                Assert.AreEqual("\r\n+CREG: 0,2\r\n\r\nOK\r\n", ReadAll(at));
            }
            Send(at, "AT+CFUN=1,1\r");
            at.AssertPlayedOut();
            Assert.AreEqual(3, poll.Times);
            Assert.AreEqual(0L, poll.FirstPlayedAtMs);
            Assert.AreEqual(4000L, poll.PlayedAtMs);
            Expect.Contains("the script has ended", FailureOf(() => Send(at, "AT+CREG?\r")), "only the step just played may repeat");
        }
    }
}
