using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Modem;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    [TestClass]
    public class AtLineReaderTests
    {
        /// <summary>Collects lines as "kind:text" so whole sequences compare as strings on both runtimes.</summary>
        private sealed class Lines : IAtLineListener
        {
            public readonly ArrayList Got = new ArrayList();

            public void OnLine(AtLineKind kind, string text)
            {
                Got.Add(Entry(kind, text));
            }
        }

        private static string Entry(AtLineKind kind, string text)
        {
            return ((int)kind).ToString() + ":" + text;
        }

        private static string Joined(ArrayList entries)
        {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < entries.Count; i++)
            {
                sb.Append('[').Append((string)entries[i]).Append(']');
            }
            return sb.ToString();
        }

        private static ArrayList Read(string stream, int chunk)
        {
            Lines lines = new Lines();
            AtLineReader reader = new AtLineReader(lines);
            byte[] b = Hex.Ascii(stream);
            for (int i = 0; i < b.Length; i += chunk)
            {
                reader.Push(b, i, chunk < b.Length - i ? chunk : b.Length - i);
            }
            return lines.Got;
        }

        [TestMethod]
        public void ResponsesSplitTheSameWayAtEveryChunkSize()
        {
            // CSQ answer with an unsolicited CLOSED in the middle, then a CIPSEND prompt and its result.
            const string stream = "\r\n+CSQ: 17,0\r\n\r\nCLOSED\r\n\r\nOK\r\n> \r\nSEND OK\r\n";
            ArrayList expected = new ArrayList();
            expected.Add(Entry(AtLineKind.Intermediate, "+CSQ: 17,0"));
            expected.Add(Entry(AtLineKind.Unsolicited, "CLOSED"));
            expected.Add(Entry(AtLineKind.FinalOk, "OK"));
            expected.Add(Entry(AtLineKind.Prompt, ">"));
            expected.Add(Entry(AtLineKind.Intermediate, " "));
            expected.Add(Entry(AtLineKind.FinalOk, "SEND OK"));
            for (int chunk = 1; chunk <= stream.Length; chunk++)
            {
                Assert.AreEqual(Joined(expected), Joined(Read(stream, chunk)), "chunk size " + chunk.ToString());
            }
        }

        [TestMethod]
        [DataRow("OK", (int)AtLineKind.FinalOk)]
        [DataRow("SHUT OK", (int)AtLineKind.FinalOk)]
        [DataRow("CONNECT OK", (int)AtLineKind.FinalOk)]
        [DataRow("ALREADY CONNECT", (int)AtLineKind.FinalOk)]
        [DataRow("DATA ACCEPT:89", (int)AtLineKind.FinalOk)]
        [DataRow("0, SEND OK", (int)AtLineKind.FinalOk)]
        [DataRow("ERROR", (int)AtLineKind.FinalError)]
        [DataRow("+CME ERROR: SIM not inserted", (int)AtLineKind.FinalError)]
        [DataRow("+CMS ERROR: 500", (int)AtLineKind.FinalError)]
        [DataRow("SEND FAIL", (int)AtLineKind.FinalError)]
        [DataRow("CONNECT FAIL", (int)AtLineKind.FinalError)]
        [DataRow("RDY", (int)AtLineKind.Unsolicited)]
        [DataRow("Call Ready", (int)AtLineKind.Unsolicited)]
        [DataRow("SMS Ready", (int)AtLineKind.Unsolicited)]
        [DataRow("+PDP: DEACT", (int)AtLineKind.Unsolicited)]
        [DataRow("UNDER-VOLTAGE WARNNING", (int)AtLineKind.Unsolicited)]
        [DataRow("UNDER-VOLTAGE POWER DOWN", (int)AtLineKind.Unsolicited)]
        [DataRow("NORMAL POWER DOWN", (int)AtLineKind.Unsolicited)]
        [DataRow("+CMTI: \"SM\",3", (int)AtLineKind.Unsolicited)]
        [DataRow("+CIPRXGET: 1", (int)AtLineKind.Unsolicited)]
        [DataRow("0, CLOSED", (int)AtLineKind.Unsolicited)]
        [DataRow("+CGREG: 1", (int)AtLineKind.Unsolicited)]
        [DataRow("+CMGS: 12", (int)AtLineKind.Intermediate)]
        [DataRow("+CIPRXGET: 2,12,0", (int)AtLineKind.Intermediate)]
        [DataRow("STATE: IP STATUS", (int)AtLineKind.Intermediate)]
        public void LinesAreClassifiedAsTheManualDescribes(string line, int kind)
        {
            Assert.AreEqual(kind, (int)AtLineReader.Classify(line), line);
        }

        [TestMethod]
        public void OverlongLinesAreCutAndFlaggedWithoutGrowingMemory()
        {
            ArrayList got = Read(new string('A', 10000) + "\r\nOK\r\n", 7);
            Assert.AreEqual(Entry(AtLineKind.Overlong, new string('A', AtLineReader.MaxLineLength)), (string)got[0]);
            Assert.AreEqual(Entry(AtLineKind.FinalOk, "OK"), (string)got[1], "the reader recovers at the next line");
        }

        [TestMethod]
        public void GarbageBytesNeverThrowAndNeverFakeAFinalResult()
        {
            TestRandom rng = new TestRandom(800);
            byte[] ok = Hex.Ascii("\r\nOK\r\n");
            for (int run = 0; run < 2000; run++)
            {
                byte[] noise = new byte[rng.Next(1, 400)];
                rng.NextBytes(noise);
                for (int i = 0; i < noise.Length; i++)
                {
                    if (noise[i] == (byte)'O' || noise[i] == (byte)'E')
                    {
                        noise[i] = (byte)'x'; // keep OK/ERROR from forming by chance
                    }
                }
                KindsAndTexts lines = new KindsAndTexts();
                AtLineReader reader = new AtLineReader(lines);
                reader.Push(noise, 0, noise.Length);
                reader.Push(ok, 0, ok.Length);
                int last = lines.Kinds.Count - 1;
                Assert.AreEqual((int)AtLineKind.FinalOk, (int)lines.Kinds[last], "run " + run.ToString());
                Assert.AreEqual("OK", (string)lines.Texts[last], "run " + run.ToString());
                for (int i = 0; i < last; i++)
                {
                    AtLineKind kind = (AtLineKind)lines.Kinds[i];
                    Assert.IsTrue(kind != AtLineKind.FinalOk && kind != AtLineKind.FinalError, "noise never reads as a final result (run " + run.ToString() + ")");
                }
                for (int i = 0; i <= last; i++)
                {
                    string text = (string)lines.Texts[i];
                    for (int c = 0; c < text.Length; c++)
                    {
                        Assert.IsTrue(text[c] >= 0x20 && text[c] < 0x7F, "only printable ASCII reaches the driver (run " + run.ToString() + ")");
                    }
                }
            }
        }

        private sealed class KindsAndTexts : IAtLineListener
        {
            public readonly ArrayList Kinds = new ArrayList();
            public readonly ArrayList Texts = new ArrayList();

            public void OnLine(AtLineKind kind, string text)
            {
                Kinds.Add(kind);
                Texts.Add(text);
            }
        }
    }
}
