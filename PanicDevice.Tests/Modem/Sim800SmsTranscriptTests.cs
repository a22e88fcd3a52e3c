using System;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>SMS over a strict AT transcript: text mode for one plain part, PDU mode for concatenated or UCS-2 texts, refusals.</summary>
    [TestClass]
    public class Sim800SmsTranscriptTests
    {
        private const string Guardian = "+6281200000001";

        /// <summary>The PDU-mode exchanges for a text: AT+CMGS=&lt;TPDU octets&gt;, the hex and Ctrl-Z, each part accepted.</summary>
        private static SmsPdu[] PduParts(AtTranscript at, string number, string text, int reference, int firstMessageReference)
        {
            SmsPdu[] parts = SmsPduEncoder.Encode(number, text, reference);
            for (int i = 0; i < parts.Length; i++)
            {
                at.Expect("AT+CMGS=" + parts[i].TpduLength.ToString()).Prompt().ExpectText(parts[i].Hex + AtTranscript.CtrlZ)
                    .After(1500).Reply("+CMGS: " + (firstMessageReference + i).ToString(), "OK");
            }
            return parts;
        }

        /// <summary>What a receiving phone would show for the parts (decoded independently of the encoder).</summary>
        private static string Decoded(SmsPdu[] parts)
        {
            SmsSubmit[] decoded = new SmsSubmit[parts.Length];
            for (int i = 0; i < parts.Length; i++)
            {
                decoded[i] = SmsPduDecoder.Decode(parts[i].Hex);
                Assert.IsNotNull(decoded[i], "part " + (i + 1).ToString() + " decodes");
            }
            return SmsPduDecoder.Join(decoded);
        }

        [TestMethod]
        public void ShortPlainTextGoesInTextMode()
        {
            const string text = "EMERGENCY: panic button pressed from Siti. At -6.175392,106.827153 +/-8m.";
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=1").Reply("OK");
            b.At.Expect("AT+CMGS=\"" + Guardian + "\"").Prompt().ExpectText(text + AtTranscript.CtrlZ).After(1500).Reply("+CMGS: 12", "OK");
            int id = b.Driver.Send(Guardian, text, b.Now);
            Assert.AreEqual((int)SmsSendState.Pending, (int)b.Driver.StateOf(id));
            b.Play(5000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id), b.Why);
        }

        [TestMethod]
        public void AnSmsQueuedBeforeRegistrationGoesAsSoonAsTheModuleIsRegisteredAndBeforeAnythingElse()
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Probe(at);
            Sim800Script.Configure(at);
            Sim800Script.SimAndNetwork(at);
            at.Expect("AT+CMGF=1").Reply("OK");
            at.Expect("AT+CMGS=\"" + Guardian + "\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).Reply("+CMGS: 1", "OK");
            Sim800Script.Gprs(at); // the connection wanted at the same time waits for the SMS
            Sim800Script.Connect(at);
            Sim800Script.Ready(at);
            ModemBench b = new ModemBench(at);
            int id = b.Driver.Send(Guardian, "HELP", 0);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, 0);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id));
        }

        [TestMethod]
        public void LongTextGoesAsAConcatenatedPduSms()
        {
            string text = "";
            for (int i = 0; i < 8; i++)
            {
                text += "Tolong! Lokasi -6.175392,106.827153. ";
            }
            text = text.Trim();
            Assert.IsTrue(text.Length > 160);
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=0").Reply("OK");
            SmsPdu[] parts = PduParts(b.At, "112", text, 1, 40);
            int id = b.Driver.Send("112", text, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id), b.Why);
            Assert.AreEqual(2, parts.Length);
            Assert.AreEqual(text, Decoded(parts), "the parts the driver sent join to the text");
        }

        [TestMethod]
        public void NamesOutsideGsm7GoAsUcs2()
        {
            string text = "DARURAT: tombol panik ditekan dari Nguyễn Thị Ánh 阿明. Lokasi tidak diketahui.";
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=0").Reply("OK");
            SmsPdu[] parts = PduParts(b.At, Guardian, text, 1, 1);
            int id = b.Driver.Send(Guardian, text, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id), b.Why);
            Assert.AreEqual(2, parts.Length, "UCS-2: 67 characters a part");
            Assert.AreEqual(text, Decoded(parts));
        }

        [TestMethod]
        public void TextModeAndPduModeAlternateCorrectly()
        {
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=0").Reply("OK");
            PduParts(b.At, "+1", "first € in PDU mode", 1, 1);
            b.At.Expect("AT+CMGF=1").Reply("OK");
            b.At.Expect("AT+CMGS=\"+2\"").Prompt().ExpectText("then plain text" + AtTranscript.CtrlZ).Reply("+CMGS: 2", "OK");
            b.At.Expect("AT+CMGF=0").Reply("OK");
            PduParts(b.At, "+3", "and PDU again: _", 2, 3);
            int first = b.Driver.Send("+1", "first € in PDU mode", b.Now);
            int second = b.Driver.Send("+2", "then plain text", b.Now);
            int third = b.Driver.Send("+3", "and PDU again: _", b.Now);
            b.Play(20000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(first));
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(second));
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(third));
        }

        [TestMethod]
        public void ARefusedSmsIsTriedOnceMoreThenReportedFailed()
        {
            ModemBench b = ModemBench.Started();
            string send = "AT+CMGS=\"+62812\"";
            b.At.Expect("AT+CMGF=1").Reply("OK");
            AtStep refused = b.At.Expect(send).Prompt().ExpectText("one refusal is retried" + AtTranscript.CtrlZ).After(1500).Reply("+CMS ERROR: 500");
            AtStep retried = b.At.Expect(send).Prompt().ExpectText("one refusal is retried" + AtTranscript.CtrlZ).After(1500).Reply("+CMGS: 7", "OK");
            b.At.Expect(send).Prompt().ExpectText("two are reported" + AtTranscript.CtrlZ).Reply("+CMS ERROR: 500");
            b.At.Expect(send).Prompt().ExpectText("two are reported" + AtTranscript.CtrlZ).Reply("+CMS ERROR: 500");
            int once = b.Driver.Send("+62812", "one refusal is retried", b.Now);
            int twice = b.Driver.Send("+62812", "two are reported", b.Now);
            b.Play(20000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(once));
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(twice));
            Expect.Contains("SMS refused (+CMS ERROR: 500)", b.Driver.LastError);
            Expect.DoesNotContain("62812", b.Driver.LastError, "phone numbers never appear in errors");
            Assert.AreEqual(refused.DataAtMs + 1500 + 2000, retried.PlayedAtMs, "tried again 2 s after the refusal");
        }

        [TestMethod]
        public void ARetryOfAConcatenatedSmsResendsOnlyThePartsNotYetAccepted()
        {
            string text = "";
            for (int i = 0; i < 8; i++)
            {
                text += "Tolong! Lokasi -6.175392,106.827153. ";
            }
            SmsPdu[] parts = SmsPduEncoder.Encode(Guardian, text, 1);
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=0").Reply("OK");
            b.At.Expect("AT+CMGS=" + parts[0].TpduLength.ToString()).Prompt().ExpectText(parts[0].Hex + AtTranscript.CtrlZ).Reply("+CMGS: 1", "OK");
            b.At.Expect("AT+CMGS=" + parts[1].TpduLength.ToString()).Prompt().ExpectText(parts[1].Hex + AtTranscript.CtrlZ).Reply("+CMS ERROR: 331");
            b.At.Expect("AT+CMGS=" + parts[1].TpduLength.ToString()).Prompt().ExpectText(parts[1].Hex + AtTranscript.CtrlZ).Reply("+CMGS: 2", "OK");
            int id = b.Driver.Send(Guardian, text, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id));
        }

        [TestMethod]
        public void AnOkWithoutAMessageReferenceIsNotASentSms()
        {
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=1").Reply("OK");
            b.At.Expect("AT+CMGS=\"112\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).Reply("OK");
            b.At.Expect("AT+CMGS=\"112\"").Prompt().ExpectText("HELP" + AtTranscript.CtrlZ).Reply("OK");
            int id = b.Driver.Send("112", "HELP", b.Now);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(id), "only +CMGS: <mr> says the network took it");
        }

        [TestMethod]
        public void ARefusedSmsFormatFailsTheSms()
        {
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CMGF=1").Reply("+CME ERROR: operation not allowed");
            int id = b.Driver.Send("112", "HELP", b.Now);
            b.Play(5000);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(id));
            Expect.Contains("SMS format refused", b.Driver.LastError);
        }

        [TestMethod]
        public void BadNumbersAndOverlongTextFailAtOnceWithAReason()
        {
            ModemBench b = ModemBench.Started(); // nothing may reach the module
            int bad = b.Driver.Send("0812-345", "x", b.Now);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(bad));
            Expect.Contains("not a phone number", b.Driver.LastError);
            int huge = b.Driver.Send("+62812", new string('x', 2000), b.Now);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(huge));
            Expect.Contains("too long", b.Driver.LastError);
            Assert.AreEqual((int)SmsSendState.Unknown, (int)b.Driver.StateOf(12345));
            b.Play(2000);
        }

        [TestMethod]
        public void AFullQueueRefusesMoreSmsVisiblyRatherThanDroppingThem()
        {
            AtTranscript at = new AtTranscript();
            ModemBench b = new ModemBench(at);
            for (int i = 0; i < Sim800Modem.MaxQueuedSms; i++)
            {
                Assert.AreEqual((int)SmsSendState.Pending, (int)b.Driver.StateOf(b.Driver.Send("+6281200000001", "HELP " + i.ToString(), 0)));
            }
            int refused = b.Driver.Send("+6281200000001", "one too many", 0);
            Assert.AreEqual((int)SmsSendState.Failed, (int)b.Driver.StateOf(refused));
            Expect.Contains("SMS queue full", b.Driver.LastError);
        }

        [TestMethod]
        [DataRow(160, false)]
        [DataRow(161, true)]
        public void OneTextModeSmsHoldsAtMost160Characters(int length, bool pdu)
        {
            string text = new string('a', length);
            ModemBench b = ModemBench.Started();
            if (pdu)
            {
                b.At.Expect("AT+CMGF=0").Reply("OK");
                Assert.AreEqual(2, PduParts(b.At, Guardian, text, 1, 1).Length);
            }
            else
            {
                b.At.Expect("AT+CMGF=1").Reply("OK");
                b.At.Expect("AT+CMGS=\"" + Guardian + "\"").Prompt().ExpectText(text + AtTranscript.CtrlZ).Reply("+CMGS: 1", "OK");
            }
            int id = b.Driver.Send(Guardian, text, b.Now);
            b.Play(10000);
            Assert.AreEqual((int)SmsSendState.Sent, (int)b.Driver.StateOf(id), b.Why);
        }
    }
}
