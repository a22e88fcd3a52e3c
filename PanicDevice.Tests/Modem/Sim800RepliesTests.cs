using PanicDevice.Core.Modem;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Modem;

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
        Assert.AreEqual(expected, Sim800Replies.RegistrationStatus(line));
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
        Assert.AreEqual(dbm, Sim800Replies.SignalDbm(line));
    }

    [TestMethod]
    public void NetworkClockIsConvertedFromLocalTimeWithQuarterHourZoneToUtc()
    {
        long expected = new DateTimeOffset(2026, 11, 29, 1, 44, 52, TimeSpan.Zero).ToUnixTimeSeconds();
        Assert.AreEqual(expected, Sim800Replies.ClockUtcSeconds("+CCLK: \"26/11/29,08:44:52+28\""), "WIB is +07:00 = 28 quarter hours");
        Assert.AreEqual(expected, Sim800Replies.ClockUtcSeconds("+CCLK: \"26/11/28,22:14:52-14\""), "-03:30");
        Assert.AreEqual(new DateTimeOffset(2028, 2, 29, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), Sim800Replies.ClockUtcSeconds("+CCLK: \"28/02/29,00:00:00+00\""), "leap day");
    }

    [TestMethod]
    [DataRow("+CCLK: \"04/01/01,00:00:12+00\"")] // never set from the network
    [DataRow("+CCLK: \"26/13/29,08:44:52+28\"")]
    [DataRow("+CCLK: \"26/11/29 08:44:52+28\"")]
    [DataRow("+CCLK: \"26/11/29,08:4")]
    [DataRow("+CCLK: 26/11/29,08:44:52+28")]
    public void UnsetOrMalformedClockIsUnknown(string line)
    {
        Assert.AreEqual(-1L, Sim800Replies.ClockUtcSeconds(line));
    }

    [TestMethod]
    public void CellLocationIsLongitudeFirstAndExactToTheSeventhDecimal()
    {
        var fix = Sim800Replies.CellLocation("+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,01:44:52", 5000);
        Assert.IsNotNull(fix);
        Assert.AreEqual(-61753920, fix.LatitudeE7);
        Assert.AreEqual(1068271530, fix.LongitudeE7);
        Assert.AreEqual(LocationSource.Cell, fix.Source);
        Assert.AreEqual(-1, fix.AccuracyM, "the module gives no accuracy, so none is claimed");
        Assert.AreEqual(5000L, fix.FixAtMs);
        Assert.IsNull(Sim800Replies.CellLocation("+CIPGSMLOC: 601", 0), "601: location not found");
        Assert.IsNull(Sim800Replies.CellLocation("+CIPGSMLOC: 0,200.0,-6.1", 0), "longitude out of range");
        Assert.IsNull(Sim800Replies.CellLocation("+CIPGSMLOC: 0,1a6.8,-6.1", 0));
    }

    [TestMethod]
    public void ReceiveHeaderAndHexAreCheckedStrictly()
    {
        Assert.IsTrue(Sim800Replies.ReceiveHeader("+CIPRXGET: 3,12,30", out int n, out int rest));
        Assert.AreEqual(12, n);
        Assert.AreEqual(30, rest);
        Assert.IsFalse(Sim800Replies.ReceiveHeader("+CIPRXGET: 2,12,30", out _, out _));
        Assert.IsFalse(Sim800Replies.ReceiveHeader("+CIPRXGET: 3,-1,0", out _, out _));
        var buffer = new byte[4];
        Assert.AreEqual(3, Sim800Replies.Hex("30a0FF", buffer, 1));
        CollectionAssert.AreEqual(new byte[] { 0, 0x30, 0xA0, 0xFF }, buffer);
        Assert.AreEqual(-1, Sim800Replies.Hex("30A", buffer, 0), "odd length");
        Assert.AreEqual(-1, Sim800Replies.Hex("3?", buffer, 0), "line noise");
        Assert.AreEqual(-1, Sim800Replies.Hex("0102030405", buffer, 0), "does not fit");
    }

    [TestMethod]
    public void QuotesInApnSettingsAreRefusedBecauseAtStringsHaveNoEscape()
    {
        Assert.IsNull(new Sim800Settings { Apn = "internet", ApnUser = "", ApnPassword = "p@ss word" }.Validate());
        string? problem = new Sim800Settings { Apn = "internet", ApnPassword = "pa\"ss" }.Validate();
        Assert.IsNotNull(problem);
        Assert.DoesNotContain("pa\"ss", problem, "the password is not repeated in the error");
        Assert.IsNotNull(new Sim800Settings { Apn = "" }.Validate());
        Assert.IsNotNull(new Sim800Settings { Apn = "inter\rnet" }.Validate(), "a CR would end the command");
        Assert.ThrowsExactly<ArgumentException>(() => new Sim800Modem(new PanicDevice.ModemEmulator.Sim800Emulator().DeviceSide, new PanicDevice.ModemEmulator.Sim800Emulator(), new Sim800Settings { Apn = "a\"b" }));
    }
}

[TestClass]
public class ModemRecoveryLadderTests
{
    [TestMethod]
    public void DataFailuresRetryThenReattachThenResetThenPowerCycle()
    {
        var ladder = new ModemRecoveryLadder();
        var steps = Enumerable.Range(0, 18).Select(_ => ladder.OnFailure(ModemFailure.Data)).ToList();
        var retry = ModemRecoveryStep.Retry;
        var reattach = ModemRecoveryStep.Reattach;
        // After the reset the module gets the same two re-attaches before the supply is cut.
        CollectionAssert.AreEqual(new[]
        {
            retry, retry, reattach, retry, retry, reattach, retry, retry, ModemRecoveryStep.Reset,
            retry, retry, reattach, retry, retry, reattach, retry, retry, ModemRecoveryStep.PowerCycle,
        }, steps);
    }

    [TestMethod]
    public void UnreachableServerNeverRebootsTheModem()
    {
        var ladder = new ModemRecoveryLadder();
        var steps = Enumerable.Range(0, 30).Select(_ => ladder.OnFailure(ModemFailure.Connect)).ToList();
        Assert.DoesNotContain(ModemRecoveryStep.Reset, steps);
        Assert.DoesNotContain(ModemRecoveryStep.PowerCycle, steps);
        Assert.Contains(ModemRecoveryStep.Reattach, steps);
    }

    [TestMethod]
    public void SilenceIsPowerCycledAtOnceAndRegistrationResetsFirst()
    {
        var ladder = new ModemRecoveryLadder();
        Assert.AreEqual(ModemRecoveryStep.PowerCycle, ladder.OnFailure(ModemFailure.NoAnswer));
        Assert.AreEqual(ModemRecoveryStep.Reset, ladder.OnFailure(ModemFailure.Registration));
        Assert.AreEqual(ModemRecoveryStep.PowerCycle, ladder.OnFailure(ModemFailure.Registration));
    }

    [TestMethod]
    public void SuccessStartsAgainFromTheBottom()
    {
        var ladder = new ModemRecoveryLadder();
        for (int i = 0; i < 8; i++) ladder.OnFailure(ModemFailure.Data);
        Assert.AreEqual(ModemRecoveryStep.Reset, ladder.OnFailure(ModemFailure.Data));
        ladder.OnSuccess();
        Assert.AreEqual(ModemRecoveryStep.Retry, ladder.OnFailure(ModemFailure.Data));
        Assert.AreEqual(ModemRecoveryStep.Reset, ladder.OnFailure(ModemFailure.Registration), "the reset count was cleared too");
    }
}
