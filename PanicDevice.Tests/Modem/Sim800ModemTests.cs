using PanicDevice.Core.Modem;
using PanicDevice.Core.Sms;
using PanicDevice.ModemEmulator;

namespace PanicDevice.Tests.Modem;

/// <summary>The driver against the emulator alone (no broker): SMS paths, settings, time and cell location.</summary>
[TestClass]
public class Sim800ModemTests
{
    private sealed class Bench
    {
        public readonly Sim800Emulator Modem;
        public readonly Sim800Modem Driver;
        public long Now;

        public Bench(EmulatorFaults? faults = null, Sim800Settings? settings = null)
        {
            Modem = new Sim800Emulator(faults);
            Modem.StartOn(0);
            Driver = new Sim800Modem(Modem.DeviceSide, Modem, settings ?? new Sim800Settings { ApnPassword = "apn-secret-77" });
        }

        public bool RunUntil(Func<bool> done, int deviceSeconds)
        {
            long end = Now + deviceSeconds * 1000L;
            while (Now < end)
            {
                Modem.Poll(Now);
                Driver.Poll(Now);
                if (done()) return true;
                Now += 5;
                if (Now % 100 == 0) Thread.Sleep(1); // real sockets (a refused connect) need real time now and then
            }
            return done();
        }

        public SmsSendState Send(string number, string text)
        {
            int id = Driver.Send(number, text, Now);
            RunUntil(() => Driver.StateOf(id) != SmsSendState.Pending, 180);
            return Driver.StateOf(id);
        }
    }

    [TestMethod]
    public void ShortAsciiTextGoesInTextMode()
    {
        var b = new Bench();
        Assert.AreEqual(SmsSendState.Sent, b.Send("+6281200000001", "EMERGENCY: panic button pressed from Siti. At -6.175392,106.827153 +/-8m."));
        var sms = b.Modem.Sms.Single();
        Assert.AreEqual("text", sms.Mode);
        Assert.AreEqual("+6281200000001", sms.Number);
        StringAssert.StartsWith(sms.Text, "EMERGENCY: panic button pressed from Siti.");
        CollectionAssert.Contains(b.Modem.Commands, "AT+CMGF=1");
        CollectionAssert.Contains(b.Modem.Commands, "AT+CMGS=\"+6281200000001\"");
    }

    [TestMethod]
    public void LongTextGoesAsAConcatenatedPduSmsAndArrivesWhole()
    {
        var b = new Bench();
        string text = string.Concat(Enumerable.Repeat("Tolong! Lokasi -6.175392,106.827153. ", 8)).Trim();
        Assert.IsGreaterThan(160, text.Length);
        Assert.AreEqual(SmsSendState.Sent, b.Send("112", text));
        var sms = b.Modem.Sms.Single();
        Assert.AreEqual("pdu", sms.Mode);
        Assert.AreEqual(2, sms.Parts);
        Assert.AreEqual(text, sms.Text);
        Assert.AreEqual("112", sms.Number);
        CollectionAssert.Contains(b.Modem.Commands, "AT+CMGF=0");
    }

    [TestMethod]
    public void NamesOutsideGsm7GoAsUcs2NotGarbage()
    {
        var b = new Bench();
        string text = "DARURAT: tombol panik ditekan dari Nguyễn Thị Ánh 阿明. Lokasi tidak diketahui.";
        Assert.AreEqual(SmsSendState.Sent, b.Send("+6281200000001", text));
        Assert.AreEqual(text, b.Modem.Sms.Single().Text);
        Assert.AreEqual(2, b.Modem.Sms.Single().Parts, "UCS-2: 67 characters a part");
    }

    [TestMethod]
    public void TextModeAndPduModeAlternateCorrectly()
    {
        var b = new Bench();
        Assert.AreEqual(SmsSendState.Sent, b.Send("+1", "first € in PDU mode"));
        Assert.AreEqual(SmsSendState.Sent, b.Send("+2", "then plain text"));
        Assert.AreEqual(SmsSendState.Sent, b.Send("+3", "and PDU again: _"));
        CollectionAssert.AreEqual(new[] { "first € in PDU mode", "then plain text", "and PDU again: _" }, b.Modem.Sms.Select(s => s.Text).ToArray());
        CollectionAssert.AreEqual(new[] { "pdu", "text", "pdu" }, b.Modem.Sms.Select(s => s.Mode).ToArray());
    }

    [TestMethod]
    public void RefusedSmsIsRetriedOnceThenReportedFailed()
    {
        var b = new Bench(new EmulatorFaults { SmsFailures = 1 });
        Assert.AreEqual(SmsSendState.Sent, b.Send("+62812", "one refusal is retried"));
        b.Modem.Faults.SmsFailures = 2;
        Assert.AreEqual(SmsSendState.Failed, b.Send("+62812", "two are reported"));
        StringAssert.Contains(b.Driver.LastError, "+CMS ERROR: 500");
    }

    [TestMethod]
    public void BadNumbersAndOverlongTextFailAtOnceWithAReason()
    {
        var b = new Bench();
        int bad = b.Driver.Send("0812-345", "x", 0);
        Assert.AreEqual(SmsSendState.Failed, b.Driver.StateOf(bad));
        int huge = b.Driver.Send("+62812", new string('x', 2000), 0);
        Assert.AreEqual(SmsSendState.Failed, b.Driver.StateOf(huge));
        StringAssert.Contains(b.Driver.LastError, "too long");
        Assert.AreEqual(SmsSendState.Unknown, b.Driver.StateOf(12345));
    }

    [TestMethod]
    public void ApnPasswordNeverAppearsInErrors()
    {
        var faults = new EmulatorFaults();
        faults.CmeErrors["AT+CSTT"] = 5;
        var b = new Bench(faults);
        b.Driver.Open("127.0.0.1", 1, 0);
        Assert.IsTrue(b.RunUntil(() => b.Driver.LastError?.Contains("AT+CSTT") == true, 30), "bring-up failed: " + b.Driver.LastError);
        Assert.DoesNotContain("apn-secret-77", b.Driver.LastError!);
    }

    [TestMethod]
    public void NetworkTimeIsReadAfterRegistration()
    {
        var b = new Bench();
        // A set network time stays put, so the expected value below is exact.
        b.Modem.NetworkTime = new DateTimeOffset(2026, 11, 29, 1, 0, 0, TimeSpan.Zero);
        Assert.IsTrue(b.RunUntil(() => b.Driver.UtcSeconds(b.Now) != 0 && b.Driver.SignalDbm != 0, 30), "network time and signal: " + b.Driver.LastError);
        long expected = b.Modem.NetworkTime.ToUnixTimeSeconds();
        Assert.AreEqual(expected, (long)b.Driver.UtcSeconds(b.Now), 2.0);
        CollectionAssert.Contains(b.Modem.Commands, "AT+CLTS=1", "network time sync asked for");
        Assert.AreEqual(-77, b.Driver.SignalDbm);
    }

    [TestMethod]
    public void NetworkTimeIsTheHostClockUnlessATestSetsIt()
    {
        var b = new Bench();
        Assert.IsTrue(b.RunUntil(() => b.Driver.UtcSeconds(b.Now) != 0, 30), "network time: " + b.Driver.LastError);
        long host = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Virtual time runs the driver's clock a few seconds ahead of the host's since it read +CCLK.
        Assert.AreEqual(host, (long)b.Driver.UtcSeconds(b.Now), 60.0, "the device took its time from the emulated network");
    }

    [TestMethod]
    public void CellLocationComesThroughTheBearerWhenEnabled()
    {
        var b = new Bench(settings: new Sim800Settings { CellLocation = true });
        b.Driver.Open("127.0.0.1", 1, 0); // brings GPRS up (the connection itself fails: nothing listens on port 1)
        Assert.IsTrue(b.RunUntil(() => b.Modem.Commands.Contains("AT+CIFSR"), 30));
        b.Driver.RequestCellLocation();
        // The location waits behind the CIPSTART, whose refusal comes from a real socket: on a loaded machine that took longer
        // than the 600 ms of real time 60 device seconds allow (one CI run). 300 device seconds also cover the driver's own
        // CIPSTART timeout, so the location comes either way.
        Assert.IsTrue(b.RunUntil(() => b.Driver.CellFix != null, 300), "cell fix: " + b.Driver.LastError + " " + string.Join(" | ", b.Modem.Commands.TakeLast(15)));
        Assert.AreEqual(-61753920, b.Driver.CellFix!.LatitudeE7);
        CollectionAssert.Contains(b.Modem.Commands, "AT+SAPBR=1,1");
    }

    [TestMethod]
    public void AModuleThatIsAlreadyOnIsNotSwitchedOff()
    {
        var b = new Bench();
        Assert.IsTrue(b.RunUntil(() => b.Driver.Phase == Sim800Phase.Ready, 30));
        Assert.AreEqual(1, b.Modem.Boots);
        Assert.IsTrue(b.Modem.IsOn);
        CollectionAssert.DoesNotContain(b.Modem.Commands, "AT+CFUN=1,1");
    }
}

/// <summary>Regression: data announced (+CIPRXGET: 1) while a read was in flight is read at once, not at the next periodic read.</summary>
[TestClass]
public class Sim800ReceiveNoticeTests
{
    [TestMethod]
    public void ANoticeArrivingDuringAReadIsNotLost()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        try
        {
            var modem = new Sim800Emulator(new EmulatorFaults { BaudRate = 0 });
            modem.StartOn(0);
            // The periodic read is set far away, so only the notice can bring the second chunk in.
            var driver = new Sim800Modem(modem.DeviceSide, modem, new Sim800Settings { ReceivePollMs = 600000 });
            long now = 0;
            bool Run(Func<bool> done, int ms)
            {
                for (long end = now + ms; now < end; now += 5)
                {
                    modem.Poll(now);
                    driver.Poll(now);
                    if (done()) return true;
                    if (now % 100 == 0) Thread.Sleep(1);
                }
                return done();
            }
            PanicDevice.Core.Net.ITcpLink link = driver;
            link.Open("127.0.0.1", port, 0);
            // Opening waits for a real TCP connect, which a loaded machine (the whole suite on two cores) can take well over
            // the few real milliseconds device time spends here: step device time with a real pause each turn, up to 30 s.
            var real = System.Diagnostics.Stopwatch.StartNew();
            while (link.State == PanicDevice.Core.Net.TcpLinkState.Opening && real.Elapsed < TimeSpan.FromSeconds(30))
            {
                modem.Poll(now);
                driver.Poll(now);
                now += 5;
                Thread.Sleep(1);
            }
            Assert.AreEqual(PanicDevice.Core.Net.TcpLinkState.Open, link.State, driver.LastError);
            bool injected = false;
            modem.AfterCommand = command =>
            {
                // Right after the first read has taken "A", "B" arrives: its notice follows the read's OK.
                if (command.StartsWith("AT+CIPRXGET=3", StringComparison.Ordinal) && !injected)
                {
                    injected = true;
                    modem.DeliverFromNetwork(new[] { (byte)'B' });
                }
            };
            modem.DeliverFromNetwork(new[] { (byte)'A' });
            var got = new List<byte>();
            var buffer = new byte[16];
            Assert.IsTrue(Run(() =>
            {
                int n = link.Receive(buffer, 0, buffer.Length);
                got.AddRange(buffer.Take(n));
                return got.Count >= 2;
            }, 2000), "received: " + System.Text.Encoding.ASCII.GetString(got.ToArray()));
            Assert.AreEqual("AB", System.Text.Encoding.ASCII.GetString(got.ToArray()));
        }
        finally
        {
            listener.Stop();
        }
    }
}
