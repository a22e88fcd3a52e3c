using System.Text;
using PanicDevice.Core.Modem;

namespace PanicDevice.Tests.Modem;

[TestClass]
public class AtLineReaderTests
{
    private sealed class Lines : IAtLineListener
    {
        public readonly List<(AtLineKind Kind, string Text)> Got = new();
        public void OnLine(AtLineKind kind, string text) => Got.Add((kind, text));
    }

    private static List<(AtLineKind, string)> Read(string stream, int chunk)
    {
        var lines = new Lines();
        var reader = new AtLineReader(lines);
        byte[] b = Encoding.ASCII.GetBytes(stream);
        for (int i = 0; i < b.Length; i += chunk)
        {
            reader.Push(b, i, Math.Min(chunk, b.Length - i));
        }
        return lines.Got;
    }

    [TestMethod]
    public void ResponsesSplitTheSameWayAtEveryChunkSize()
    {
        // CSQ answer with an unsolicited CLOSED in the middle, then a CIPSEND prompt and its result.
        const string stream = "\r\n+CSQ: 17,0\r\n\r\nCLOSED\r\n\r\nOK\r\n> \r\nSEND OK\r\n";
        var expected = new List<(AtLineKind, string)>
        {
            (AtLineKind.Intermediate, "+CSQ: 17,0"),
            (AtLineKind.Unsolicited, "CLOSED"),
            (AtLineKind.FinalOk, "OK"),
            (AtLineKind.Prompt, ">"),
            (AtLineKind.Intermediate, " "),
            (AtLineKind.FinalOk, "SEND OK"),
        };
        for (int chunk = 1; chunk <= stream.Length; chunk++)
        {
            CollectionAssert.AreEqual(expected, Read(stream, chunk), "chunk size " + chunk);
        }
    }

    [TestMethod]
    [DataRow("OK", AtLineKind.FinalOk)]
    [DataRow("SHUT OK", AtLineKind.FinalOk)]
    [DataRow("CONNECT OK", AtLineKind.FinalOk)]
    [DataRow("ALREADY CONNECT", AtLineKind.FinalOk)]
    [DataRow("DATA ACCEPT:89", AtLineKind.FinalOk)]
    [DataRow("0, SEND OK", AtLineKind.FinalOk)]
    [DataRow("ERROR", AtLineKind.FinalError)]
    [DataRow("+CME ERROR: SIM not inserted", AtLineKind.FinalError)]
    [DataRow("+CMS ERROR: 500", AtLineKind.FinalError)]
    [DataRow("SEND FAIL", AtLineKind.FinalError)]
    [DataRow("CONNECT FAIL", AtLineKind.FinalError)]
    [DataRow("RDY", AtLineKind.Unsolicited)]
    [DataRow("Call Ready", AtLineKind.Unsolicited)]
    [DataRow("SMS Ready", AtLineKind.Unsolicited)]
    [DataRow("+PDP: DEACT", AtLineKind.Unsolicited)]
    [DataRow("UNDER-VOLTAGE WARNNING", AtLineKind.Unsolicited)]
    [DataRow("UNDER-VOLTAGE POWER DOWN", AtLineKind.Unsolicited)]
    [DataRow("NORMAL POWER DOWN", AtLineKind.Unsolicited)]
    [DataRow("+CMTI: \"SM\",3", AtLineKind.Unsolicited)]
    [DataRow("+CIPRXGET: 1", AtLineKind.Unsolicited)]
    [DataRow("0, CLOSED", AtLineKind.Unsolicited)]
    [DataRow("+CGREG: 1", AtLineKind.Unsolicited)]
    [DataRow("+CMGS: 12", AtLineKind.Intermediate)]
    [DataRow("+CIPRXGET: 2,12,0", AtLineKind.Intermediate)]
    [DataRow("STATE: IP STATUS", AtLineKind.Intermediate)]
    public void LinesAreClassifiedAsTheManualDescribes(string line, AtLineKind kind)
    {
        Assert.AreEqual(kind, AtLineReader.Classify(line));
    }

    [TestMethod]
    public void OverlongLinesAreCutAndFlaggedWithoutGrowingMemory()
    {
        var got = Read(new string('A', 10_000) + "\r\nOK\r\n", 7);
        Assert.AreEqual(AtLineKind.Overlong, got[0].Item1);
        Assert.AreEqual(AtLineReader.MaxLineLength, got[0].Item2.Length);
        Assert.AreEqual((AtLineKind.FinalOk, "OK"), got[1], "the reader recovers at the next line");
    }

    [TestMethod]
    public void GarbageBytesNeverThrowAndNeverFakeAFinalResult()
    {
        var rng = new Random(800);
        for (int run = 0; run < 2000; run++)
        {
            byte[] noise = new byte[rng.Next(1, 400)];
            rng.NextBytes(noise);
            for (int i = 0; i < noise.Length; i++)
            {
                if (noise[i] == (byte)'O' || noise[i] == (byte)'E') noise[i] = (byte)'x'; // keep OK/ERROR from forming by chance
            }
            var lines = new Lines();
            var reader = new AtLineReader(lines);
            reader.Push(noise, 0, noise.Length);
            reader.Push(Encoding.ASCII.GetBytes("\r\nOK\r\n"), 0, 6);
            Assert.AreEqual((AtLineKind.FinalOk, "OK"), lines.Got[^1]);
            Assert.IsTrue(lines.Got.Take(lines.Got.Count - 1).All(l => l.Kind != AtLineKind.FinalOk && l.Kind != AtLineKind.FinalError), "noise never reads as a final result");
            Assert.IsTrue(lines.Got.All(l => l.Text.All(c => c >= 0x20 && c < 0x7F)));
        }
    }
}
