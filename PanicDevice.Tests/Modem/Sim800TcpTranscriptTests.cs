using System;
using System.Text;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>GPRS on demand and the TCP connection (send at the prompt, hex reads, closes) over a strict AT transcript.</summary>
    [TestClass]
    public class Sim800TcpTranscriptTests
    {
        private static byte[] ReceivedBytes(ModemBench b)
        {
            byte[] buffer = new byte[2048];
            int n = b.Driver.Receive(buffer, 0, buffer.Length);
            byte[] got = new byte[n];
            Array.Copy(buffer, got, n);
            return got;
        }

        /// <summary>Received text data (nanoFramework's UTF-8 decoder stops at a NUL byte: use <see cref="ReceivedBytes"/> for binary).</summary>
        private static string Received(ModemBench b)
        {
            byte[] got = ReceivedBytes(b);
            return Encoding.UTF8.GetString(got, 0, got.Length);
        }

        private static void AssertFailed(ModemBench b, string why)
        {
            Assert.AreEqual((int)TcpLinkState.Failed, (int)b.Driver.State, b.Why);
            Expect.Contains(why, b.Driver.LastError);
        }

        [TestMethod]
        public void GprsComesUpOnlyWhenAConnectionIsWantedInTheManualsOrder()
        {
            ModemBench b = ModemBench.Started(); // its quiet second after Ready shows nothing is attached unasked
            Sim800Script.Gprs(b.At);
            AtStep connect = b.At.Expect(Sim800Script.StartCommand).Reply("OK").After(800).Reply("CONNECT OK");
            Sim800Script.EmptyRead(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            Assert.AreEqual((int)TcpLinkState.Opening, (int)b.Driver.State);
            b.RunUntil(delegate { return connect.Times == 1; }, 5000);
            b.RunFor(400);
            Assert.AreEqual((int)TcpLinkState.Opening, (int)b.Driver.State, "OK alone is not the connection");
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        [DataRow("internet", "wap", "pa\"ss", "apn password")]
        [DataRow("internet", "wap", "pass\r", "apn password")]
        [DataRow("internet", "w\"ap", "secret", "apn user")]
        [DataRow("inter\"net", "", "", "apn ")]
        [DataRow("", "", "", "apn ")]
        public void UnquotableApnSettingsAreRefusedBeforeAnythingIsSent(string apn, string user, string password, string named)
        {
            Sim800Settings s = ModemBench.Settings();
            s.Apn = apn;
            s.ApnUser = user;
            s.ApnPassword = password;
            AtTranscript at = new AtTranscript();
            Exception e = Expect.Throws(typeof(ArgumentException), () => new Sim800Modem(at, at, s));
            Expect.StartsWith(named, e.Message);
            if (password.Length > 0)
            {
                Expect.DoesNotContain(password, e.Message, "the password is not repeated");
            }
            at.AssertPlayedOut();
        }

        [TestMethod]
        public void TheApnPasswordNeverAppearsInAnError()
        {
            ModemBench b = ModemBench.Started();
            Sim800Script.GprsUntil(b.At, "AT+CSTT", "+CME ERROR: operation not allowed");
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            AssertFailed(b, "GPRS bring-up failed at AT+CSTT (+CME ERROR: operation not allowed)");
            Expect.DoesNotContain(ModemBench.ApnPassword, b.Driver.LastError);
        }

        [TestMethod]
        [DataRow("AT+CIPMUX=0", "ERROR")]
        [DataRow("AT+CIPRXGET=1", "ERROR")]
        [DataRow("AT+CIPQSEND=1", "+CME ERROR: unknown")]
        [DataRow("AT+CSTT", "ERROR")]
        [DataRow("AT+CIICR", "+CME ERROR: no network service")]
        [DataRow("AT+CIFSR", "ERROR")]
        public void ARefusedBringUpStepFailsTheLinkAndTheRetryStartsOverWithCipshut(string command, string answer)
        {
            ModemBench b = ModemBench.Started();
            AtStep refused = Sim800Script.GprsUntil(b.At, command, answer);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            string name = command.IndexOf('=') > 0 ? command.Substring(0, command.IndexOf('=')) : command;
            AssertFailed(b, "GPRS bring-up failed at " + name + " (" + answer + ")");
            Assert.AreEqual((int)Sim800Phase.Ready, (int)b.Driver.Phase, "the module is fine; only the bring-up failed");
            // The session opens again at once; the driver waits the ladder's retry pause and starts from the top.
            b.Driver.Close(b.Now);
            AtStep shut = Sim800Script.Gprs(b.At);
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(10000);
            Assert.AreEqual(refused.PlayedAtMs + ModemBench.StepMs + 1000, shut.PlayedAtMs, "retried 1 s after the refusal was read");
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void AnErrorToCipshutIsNotABringUpFailure()
        {
            // CIPSHUT only clears what may be left; ERROR there (nothing to shut) does not stop the bring-up.
            ModemBench b = ModemBench.Started();
            b.At.Expect("AT+CIPSHUT").Reply("ERROR");
            Sim800Script.GprsFrom(b.At, 1);
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void SendGoesAtThePromptInChunksAndEndsAtDataAccept()
        {
            ModemBench b = ModemBench.Connected();
            byte[] payload = new byte[600];
            for (int i = 0; i < payload.Length; i++)
            {
                payload[i] = (byte)i;
            }
            byte[] first = new byte[Sim800Modem.SendChunk];
            Array.Copy(payload, first, first.Length);
            byte[] rest = new byte[payload.Length - first.Length];
            Array.Copy(payload, first.Length, rest, 0, rest.Length);
            b.At.Expect("AT+CIPSEND=512").Prompt().ExpectData(first).Reply("DATA ACCEPT:512");
            b.At.Expect("AT+CIPSEND=88").Prompt().ExpectData(rest).Reply("DATA ACCEPT:88");
            Assert.AreEqual(600, b.Driver.Send(payload, 0, payload.Length, b.Now));
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State);
        }

        [TestMethod]
        public void SendWaitsForThePromptBeforeTheData()
        {
            ModemBench b = ModemBench.Connected();
            AtStep send = b.At.Expect("AT+CIPSEND=5").After(300).Prompt().ExpectText("HELLO").After(50).Reply("DATA ACCEPT:5");
            b.Driver.Send(Hex.Ascii("HELLO"), 0, 5, b.Now);
            b.Play(5000); // data before the prompt would fail the transcript
            Assert.AreEqual(send.PlayedAtMs + 300, send.DataAtMs, "the data went as soon as the prompt arrived");
        }

        [TestMethod]
        public void DataIsReadInHexWhenTheModuleAnnouncesIt()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(500, "+CIPRXGET: 1");
            b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,5,0", "48454c4C4F", "OK");
            b.Play(5000);
            Assert.AreEqual("HELLO", Received(b), "hex of either case decoded");
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State);
        }

        [TestMethod]
        public void WhatTheModuleStillHoldsIsReadAtOnce()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CIPRXGET: 1");
            byte[] chunk = new byte[Sim800Modem.ReadChunk];
            for (int i = 0; i < chunk.Length; i++)
            {
                chunk[i] = (byte)('a' + i % 26);
            }
            AtStep first = b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,500,3", Hex.Of(chunk), "OK");
            AtStep second = b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,3,0", "585959", "OK");
            b.Play(5000);
            Assert.AreEqual(first.PlayedAtMs + ModemBench.StepMs, second.PlayedAtMs, "no waiting for another notice");
            string got = Received(b);
            Assert.AreEqual(503, got.Length);
            Expect.StartsWith("abcdefghijklmnopqrstuvwxyzab", got);
            Assert.AreEqual("XYY", got.Substring(500));
        }

        [TestMethod]
        [DataRow(true)]
        [DataRow(false)]
        public void ANoticeArrivingDuringAReadIsNotLost(bool beforeTheOk)
        {
            // Ported from the emulator regression: "B" arrives while the read that takes "A" is in flight. The
            // periodic read is far away, so only the notice can bring "B" in.
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CIPRXGET: 1");
            if (beforeTheOk)
            {
                b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,1,0", "41", "+CIPRXGET: 1", "OK");
            }
            else
            {
                b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,1,0", "41", "OK", "+CIPRXGET: 1");
            }
            b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,1,0", "42", "OK");
            b.Play(2000);
            Assert.AreEqual("AB", Received(b));
        }

        [TestMethod]
        public void TheBufferIsAlsoReadEveryReceivePollIntervalSoALostNoticeStrandsNothing()
        {
            Sim800Settings s = ModemBench.Settings();
            s.ReceivePollMs = 1000;
            ModemBench b = ModemBench.Started(s);
            Sim800Script.Gprs(b.At);
            Sim800Script.Connect(b.At);
            AtStep second = b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,2,0", "3030", "OK");
            AtStep third = b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,0,0", "OK");
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.RunUntil(delegate { return third.Times == 1; }, 5000);
            b.At.AssertPlayedOut();
            Assert.AreEqual(1000L, third.PlayedAtMs - second.PlayedAtMs, "no notice came: the periodic read found the data");
            Assert.AreEqual("00", Received(b));
        }

        [TestMethod]
        [DataRow("+CIPRXGET: 3,5,0", "48454C4C")] // a byte short
        [DataRow("+CIPRXGET: 3,5,0", "48454C4C4F4F")] // a byte long
        [DataRow("+CIPRXGET: 3,5,0", "48454C4?4F")] // noise inside the hex (the reader shows it as '?')
        [DataRow("+CIPRXGET: 3,5,0", "")] // the hex line lost
        [DataRow("+CIPRXGET: 3,501,0", "")] // more than was asked for
        [DataRow("+CIPRXGET: 3,x,0", "")] // unreadable header
        public void GarbledHexClosesTheConnectionRatherThanPatchingTheStream(string header, string hex)
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CIPRXGET: 1");
            if (hex.Length > 0)
            {
                b.At.Expect("AT+CIPRXGET=3,500").Reply(header, hex, "OK");
            }
            else
            {
                b.At.Expect("AT+CIPRXGET=3,500").Reply(header, "OK");
            }
            b.At.Expect("AT+CIPCLOSE").Reply("CLOSE OK");
            b.Play(5000);
            AssertFailed(b, "received data was garbled on the UART");
            Assert.AreEqual(0, ReceivedBytes(b).Length, "nothing of a garbled read is handed over");
        }

        [TestMethod]
        public void AnOverlongHexLineClosesTheConnectionToo()
        {
            // Line noise without a line end can stretch the hex line past what the reader keeps; the bytes the
            // module gave out are lost either way, so the stream cannot go on.
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CIPRXGET: 1");
            b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,500,0", new string('A', 1000) + new string('?', 40), "OK");
            b.At.Expect("AT+CIPCLOSE").Reply("CLOSE OK");
            b.Play(5000);
            AssertFailed(b, "received data was garbled on the UART");
        }

        [TestMethod]
        public void ClosedWithUnreadDataIsReadBeforeTheLinkFails()
        {
            // The server's last words (a CONNACK refusing the login, say) are still in the module's buffer.
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+CIPRXGET: 1", "CLOSED");
            b.At.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,4,0", "20020005", "OK");
            b.Play(5000);
            AssertFailed(b, "connection closed by the network");
            Expect.SameBytes(Hex.Bytes("20020005"), ReceivedBytes(b), "the last bytes were handed over");
        }

        [TestMethod]
        public void ClosedWhileIdleFailsTheLinkAtOnceWithoutAClose()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "CLOSED");
            b.Play(5000);
            AssertFailed(b, "connection closed by the network");
        }

        [TestMethod]
        public void ClosedWhileASendWaitsEndsTheSendAtOnce()
        {
            ModemBench b = ModemBench.Connected();
            AtStep send = b.At.Expect("AT+CIPSEND=5").Prompt().ExpectText("HELLO").After(100).Reply("CLOSED");
            b.At.Expect("AT+CIPCLOSE").Reply("ERROR"); // the module already forgot the connection
            b.Driver.Send(Hex.Ascii("HELLO"), 0, 5, b.Now);
            b.RunUntil(delegate { return b.Driver.State == TcpLinkState.Failed; }, Sim800Timeouts.SendMs);
            Assert.AreEqual(send.DataAtMs + 100 + ModemBench.StepMs, b.Now, "ended when CLOSED came, not at the 60 s timeout");
            b.Play(5000);
            AssertFailed(b, "send failed (CLOSED)");
        }

        [TestMethod]
        public void SendFailClosesTheConnection()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Expect("AT+CIPSEND=5").Prompt().ExpectText("HELLO").Reply("SEND FAIL");
            b.At.Expect("AT+CIPCLOSE").Reply("CLOSE OK");
            b.Driver.Send(Hex.Ascii("HELLO"), 0, 5, b.Now);
            b.Play(5000);
            AssertFailed(b, "send failed (SEND FAIL)");
        }

        [TestMethod]
        public void CloseIsToldToTheModule()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Expect("AT+CIPCLOSE").Reply("CLOSE OK");
            b.Driver.Close(b.Now);
            Assert.AreEqual((int)TcpLinkState.Closed, (int)b.Driver.State);
            b.Play(5000);
            Assert.AreEqual(0, b.Driver.Send(Hex.Ascii("x"), 0, 1, b.Now), "nothing is taken while closed");
        }

        [TestMethod]
        public void AlreadyConnectIsClosedAndConnectedAfresh()
        {
            ModemBench b = ModemBench.Started();
            Sim800Script.Gprs(b.At);
            b.At.Expect(Sim800Script.StartCommand).Reply("OK", "ALREADY CONNECT"); // a connection the driver lost track of
            b.At.Expect("AT+CIPCLOSE").Reply("CLOSE OK");
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void ConnectFailFailsTheLinkAndLeavesTheModuleClean()
        {
            ModemBench b = ModemBench.Started();
            Sim800Script.Gprs(b.At);
            b.At.Expect(Sim800Script.StartCommand).Reply("OK").After(3000).Reply("STATE: TCP CLOSED", "CONNECT FAIL");
            b.At.Expect("AT+CIPCLOSE").Reply("ERROR");
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(10000);
            AssertFailed(b, "TCP connection failed (CONNECT FAIL)");
            Assert.AreEqual(0, b.Driver.Recovery.Reattaches + b.Driver.Recovery.Resets, "the first failure is retried");
        }

        [TestMethod]
        public void PdpDeactivationEndsTheLinkAndTheNextConnectionAttachesAgain()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Sends(100, "+PDP: DEACT");
            b.Play(5000);
            AssertFailed(b, "GPRS context deactivated by the network");
            b.Driver.Close(b.Now);
            Sim800Script.Gprs(b.At); // CIPSHUT first: after PDP DEACT the module takes nothing else
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        [TestMethod]
        public void AConnectionCanBeOpenedAgainAfterAClose()
        {
            ModemBench b = ModemBench.Connected();
            b.At.Expect("AT+CIPCLOSE").Reply("CLOSE OK");
            Sim800Script.Connect(b.At); // GPRS stays attached: no second bring-up
            b.Driver.Close(b.Now);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, b.Why);
        }

        private static ModemBench WithCellLocation(bool enabled)
        {
            Sim800Settings s = ModemBench.Settings();
            s.CellLocation = enabled;
            return ModemBench.Connected(s);
        }

        private static void Bearer(AtTranscript at)
        {
            at.Expect("AT+SAPBR=3,1,\"Contype\",\"GPRS\"").Reply("OK");
            at.Expect("AT+SAPBR=3,1,\"APN\",\"internet\"").Reply("OK");
        }

        [TestMethod]
        public void CellLocationComesThroughTheBearerLongitudeFirst()
        {
            ModemBench b = WithCellLocation(true);
            Bearer(b.At);
            b.At.Expect("AT+SAPBR=1,1").After(1200).Reply("OK");
            AtStep locate = b.At.Expect("AT+CIPGSMLOC=1,1").After(2000).Reply("+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,01:44:52", "OK");
            b.At.Expect("AT+CIPGSMLOC=1,1").Reply("+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,01:45:52", "OK"); // the bearer stays open
            b.Driver.RequestCellLocation();
            b.RunUntil(delegate { return b.Driver.CellFix != null; }, 10000);
            Assert.IsNotNull(b.Driver.CellFix, b.Why);
            Assert.AreEqual(-61753920, b.Driver.CellFix.LatitudeE7);
            Assert.AreEqual(1068271530, b.Driver.CellFix.LongitudeE7);
            Assert.AreEqual(-1, b.Driver.CellFix.AccuracyM, "the module reports no accuracy, so none is claimed");
            Assert.AreEqual(locate.PlayedAtMs + 2000, b.Driver.CellFix.FixAtMs);
            b.Driver.RequestCellLocation();
            b.Play(5000);
        }

        [TestMethod]
        public void AnAlreadyOpenBearerStillGivesALocation()
        {
            ModemBench b = WithCellLocation(true);
            Bearer(b.At);
            b.At.Expect("AT+SAPBR=1,1").Reply("ERROR"); // the manual's answer when the bearer is already open
            b.At.Expect("AT+CIPGSMLOC=1,1").Reply("+CIPGSMLOC: 0,106.827153,-6.175392,2026/11/29,01:44:52", "OK");
            b.Driver.RequestCellLocation();
            b.Play(5000);
            Assert.IsNotNull(b.Driver.CellFix, b.Why);
        }

        [TestMethod]
        public void LocationNotFoundLeavesNoFixAndSaysSo()
        {
            ModemBench b = WithCellLocation(true);
            Bearer(b.At);
            b.At.Expect("AT+SAPBR=1,1").Reply("OK");
            b.At.Expect("AT+CIPGSMLOC=1,1").Reply("+CIPGSMLOC: 601", "OK");
            b.Driver.RequestCellLocation();
            b.Play(5000);
            Assert.IsNull(b.Driver.CellFix);
            Assert.AreEqual("cell location unavailable", b.Driver.LastError);
        }

        [TestMethod]
        public void CellLocationIsNotAskedForUnlessEnabled()
        {
            ModemBench b = WithCellLocation(false);
            b.Driver.RequestCellLocation();
            b.Play(3000); // no SAPBR, no CIPGSMLOC
            Assert.IsNull(b.Driver.CellFix);
        }
    }
}
