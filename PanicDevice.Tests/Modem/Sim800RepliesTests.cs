using System;
using System.Collections;
using PanicDevice.Core.Location;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    [TestClass]
    public class Sim800RepliesTests
    {
        [TestMethod]
        [DataRow("+CREG: 0,1", 1)]
        [DataRow("+CREG: 0,5", 5)]
        [DataRow("+CREG: 2,1,\"1A2B\",\"00C3\"", 1)]
        [DataRow("+CREG: 1", 1)] // the URC form after AT+CREG=1
        [DataRow("+CREG: 2,\"1A2B\",\"00C3\"", 2)] // URC with location after AT+CREG=2: the status is the first field
        [DataRow("+CGREG: 0,3", 3)]
        [DataRow("+CREG: 0,9", -1)]
        [DataRow("+CREG: ", -1)]
        [DataRow("garbage", -1)]
        public void RegistrationStatusReadsEveryForm(string line, int expected)
        {
            Assert.AreEqual(expected, Sim800Replies.RegistrationStatus(line), line);
        }

        [TestMethod]
        [DataRow("+CSQ: 0,0", -113)]
        [DataRow("+CSQ: 18,0", -77)]
        [DataRow("+CSQ: 31,99", -51)]
        [DataRow("+CSQ: 99,99", 0)]
        [DataRow("+CSQ: x,0", 0)]
        [DataRow("+CSQ: 17", 0)]
        public void SignalIsConvertedToDbm(string line, int dbm)
        {
            Assert.AreEqual(dbm, Sim800Replies.SignalDbm(line), line);
        }

        [TestMethod]
        public void NetworkClockIsConvertedFromLocalTimeWithQuarterHourZoneToUtc()
        {
            long expected = UnixSeconds(new DateTime(2026, 11, 29, 1, 44, 52));
            Assert.AreEqual(expected, Sim800Replies.ClockUtcSeconds("+CCLK: \"26/11/29,08:44:52+28\""), "WIB is +07:00 = 28 quarter hours");
            Assert.AreEqual(expected, Sim800Replies.ClockUtcSeconds("+CCLK: \"26/11/28,22:14:52-14\""), "-03:30");
            Assert.AreEqual(UnixSeconds(new DateTime(2028, 2, 29, 0, 0, 0)), Sim800Replies.ClockUtcSeconds("+CCLK: \"28/02/29,00:00:00+00\""), "leap day");
        }

        /// <summary>Seconds since 1970 by the runtime's own calendar, independent of the parser's arithmetic.</summary>
        private static long UnixSeconds(DateTime utc)
        {
            return (utc - new DateTime(1970, 1, 1)).Ticks / TimeSpan.TicksPerSecond;
        }

        [TestMethod]
        [DataRow("+CCLK: \"04/01/01,00:00:12+00\"")] // never set from the network
        [DataRow("+CCLK: \"26/13/29,08:44:52+28\"")]
        [DataRow("+CCLK: \"26/11/29 08:44:52+28\"")]
        [DataRow("+CCLK: \"26/11/29,08:4")]
        [DataRow("+CCLK: 26/11/29,08:44:52+28")]
        public void UnsetOrMalformedClockIsUnknown(string line)
        {
            Assert.AreEqual(-1L, Sim800Replies.ClockUtcSeconds(line), line);
        }

        [TestMethod]
        public void CellLocationIsLongitudeFirstAndExactToTheSeventhDecimal()
        {
            LocationFix fix = Sim800Replies.CellLocation("+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,01:44:52", 5000);
            Assert.IsNotNull(fix);
            Assert.AreEqual(-61753920, fix.LatitudeE7);
            Assert.AreEqual(1068271530, fix.LongitudeE7);
            Assert.AreEqual((int)LocationSource.Cell, (int)fix.Source);
            Assert.AreEqual(-1, fix.AccuracyM, "the module gives no accuracy, so none is claimed");
            Assert.AreEqual(5000L, fix.FixAtMs);
            Assert.IsNull(Sim800Replies.CellLocation("+CIPGSMLOC: 601", 0), "601: location not found");
            Assert.IsNull(Sim800Replies.CellLocation("+CIPGSMLOC: 0,200.0,-6.1", 0), "longitude out of range");
            Assert.IsNull(Sim800Replies.CellLocation("+CIPGSMLOC: 0,1a6.8,-6.1", 0));
        }

        [TestMethod]
        public void ReceiveHeaderAndHexAreCheckedStrictly()
        {
            int n;
            int rest;
            Assert.IsTrue(Sim800Replies.ReceiveHeader("+CIPRXGET: 3,12,30", out n, out rest));
            Assert.AreEqual(12, n);
            Assert.AreEqual(30, rest);
            Assert.IsFalse(Sim800Replies.ReceiveHeader("+CIPRXGET: 2,12,30", out n, out rest));
            Assert.IsFalse(Sim800Replies.ReceiveHeader("+CIPRXGET: 3,-1,0", out n, out rest));
            byte[] buffer = new byte[4];
            Assert.AreEqual(3, Sim800Replies.Hex("30a0FF", buffer, 1));
            Expect.SameBytes(new byte[] { 0, 0x30, 0xA0, 0xFF }, buffer);
            Assert.AreEqual(-1, Sim800Replies.Hex("30A", buffer, 0), "odd length");
            Assert.AreEqual(-1, Sim800Replies.Hex("3?", buffer, 0), "line noise");
            Assert.AreEqual(-1, Sim800Replies.Hex("0102030405", buffer, 0), "does not fit");
        }

        [TestMethod]
        public void QuotesInApnSettingsAreRefusedBecauseAtStringsHaveNoEscape()
        {
            Assert.IsNull(Settings("internet", "", "p@ss word").Validate());
            string problem = Settings("internet", "", "pa\"ss").Validate();
            Assert.IsNotNull(problem);
            Expect.DoesNotContain("pa\"ss", problem, "the password is not repeated in the error");
            Assert.IsNotNull(Settings("", "", "").Validate());
            Assert.IsNotNull(Settings("inter\rnet", "", "").Validate(), "a CR would end the command");
            // Refused before anything is sent: the scripted module expects nothing at all.
            AtTranscript silent = new AtTranscript();
            Expect.Throws(typeof(ArgumentException), () => new Sim800Modem(silent, silent, Settings("a\"b", "", "")));
            silent.AssertPlayedOut();
        }

        private static Sim800Settings Settings(string apn, string user, string password)
        {
            Sim800Settings s = new Sim800Settings();
            s.Apn = apn;
            s.ApnUser = user;
            s.ApnPassword = password;
            return s;
        }
    }

    [TestClass]
    public class ModemRecoveryLadderTests
    {
        private static string Steps(ModemRecoveryLadder ladder, ModemFailure failure, int count)
        {
            string s = "";
            for (int i = 0; i < count; i++)
            {
                s += (i == 0 ? "" : ",") + Name(ladder.OnFailure(failure));
            }
            return s;
        }

        private static string Name(ModemRecoveryStep step)
        {
            switch (step)
            {
                case ModemRecoveryStep.Retry:
                    return "retry";
                case ModemRecoveryStep.Reattach:
                    return "reattach";
                case ModemRecoveryStep.Reset:
                    return "reset";
                default:
                    return "powercycle";
            }
        }

        [TestMethod]
        public void DataFailuresRetryThenReattachThenResetThenPowerCycle()
        {
            ModemRecoveryLadder ladder = new ModemRecoveryLadder();
            // After the reset the module gets the same two re-attaches before the supply is cut.
            Assert.AreEqual(
                "retry,retry,reattach,retry,retry,reattach,retry,retry,reset,"
                + "retry,retry,reattach,retry,retry,reattach,retry,retry,powercycle",
                Steps(ladder, ModemFailure.Data, 18));
        }

        [TestMethod]
        public void UnreachableServerNeverRebootsTheModem()
        {
            ModemRecoveryLadder ladder = new ModemRecoveryLadder();
            string steps = Steps(ladder, ModemFailure.Connect, 30);
            Expect.DoesNotContain("reset", steps);
            Expect.DoesNotContain("powercycle", steps);
            Expect.Contains("reattach", steps);
        }

        [TestMethod]
        public void SilenceIsPowerCycledAtOnceAndRegistrationResetsFirst()
        {
            ModemRecoveryLadder ladder = new ModemRecoveryLadder();
            Assert.AreEqual((int)ModemRecoveryStep.PowerCycle, (int)ladder.OnFailure(ModemFailure.NoAnswer));
            Assert.AreEqual((int)ModemRecoveryStep.Reset, (int)ladder.OnFailure(ModemFailure.Registration));
            Assert.AreEqual((int)ModemRecoveryStep.PowerCycle, (int)ladder.OnFailure(ModemFailure.Registration));
        }

        [TestMethod]
        public void SuccessStartsAgainFromTheBottom()
        {
            ModemRecoveryLadder ladder = new ModemRecoveryLadder();
            for (int i = 0; i < 8; i++)
            {
                ladder.OnFailure(ModemFailure.Data);
            }
            Assert.AreEqual((int)ModemRecoveryStep.Reset, (int)ladder.OnFailure(ModemFailure.Data));
            ladder.OnSuccess();
            Assert.AreEqual((int)ModemRecoveryStep.Retry, (int)ladder.OnFailure(ModemFailure.Data));
            Assert.AreEqual((int)ModemRecoveryStep.Reset, (int)ladder.OnFailure(ModemFailure.Registration), "the reset count was cleared too");
        }
    }
}
