using System.Text.RegularExpressions;
using PanicDevice.Cli;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Cli;

/// <summary>`panicctl frame decode` on the protocol document's own vectors, and on a tampered frame.</summary>
[TestClass]
public class FrameDecodeCommandTests
{
    private static Dictionary<string, string> FirstVector()
    {
        string doc = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        string block = Regex.Match(doc, "```vector\\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        return block.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 1)..].Trim());
    }

    [TestMethod]
    public void DocumentedVectorDecodesWithAValidTagFromHexAndFromSms()
    {
        var v = FirstVector();
        var hexOut = new StringWriter();
        Assert.AreEqual(0, FrameDecodeCommand.Run(v["key"], v["frame"] + v["tag"], false, hexOut));
        StringAssert.Contains(hexOut.ToString(), "device    " + v["device"] + ", counter " + v["counter"]);
        StringAssert.Contains(hexOut.ToString(), "tag valid");
        var smsOut = new StringWriter();
        Assert.AreEqual(0, FrameDecodeCommand.Run(v["key"], v["sms"], true, smsOut));
        StringAssert.Contains(smsOut.ToString(), "\"tagValid\":true");
        Assert.IsFalse(smsOut.ToString().Contains(v["key"]), "the key is never printed");
    }

    [TestMethod]
    public void TheDocumentedResyncShowsWhereToContinueAndWhichFrameItAnswers()
    {
        string doc = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        var v = Regex.Matches(doc, "```vector\\n(.*?)```", RegexOptions.Singleline)
            .Select(m => m.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l[..l.IndexOf(':')], l => l[(l.IndexOf(':') + 1)..].Trim()))
            .Single(x => x["kind"] == "Resync");
        var text = new StringWriter();
        Assert.AreEqual(0, FrameDecodeCommand.Run(v["key"], v["sms"], false, text));
        StringAssert.Contains(text.ToString(), "resync    continue from " + v["next_counter"] + "; answers the frame whose tag begins " + v["answered_tag"]);
        var json = new StringWriter();
        Assert.AreEqual(0, FrameDecodeCommand.Run(v["key"], v["frame"] + v["tag"], true, json));
        StringAssert.Contains(json.ToString(), "\"nextCounter\":" + v["next_counter"]);
    }

    [TestMethod]
    public void TamperedFrameSaysTagInvalid()
    {
        var v = FirstVector();
        string hex = v["frame"] + v["tag"];
        // Byte 14 is the counter's low byte (version, kind, id length, 8-character id, counter): a
        // well-formed frame that says something else than what was signed.
        string tampered = hex[..29] + (hex[29] == '0' ? '1' : '0') + hex[30..];
        var output = new StringWriter();
        Assert.AreEqual(1, FrameDecodeCommand.Run(v["key"], tampered, false, output));
        StringAssert.Contains(output.ToString(), "tag invalid");
    }

    [TestMethod]
    public void BadInputGetsOneLineWithTheFix()
    {
        var output = new StringWriter();
        Assert.AreEqual(2, FrameDecodeCommand.Run("abc", "00", false, output));
        StringAssert.Contains(output.ToString(), "--key must be 64 hexadecimal");
        var garbage = new StringWriter();
        Assert.AreEqual(1, FrameDecodeCommand.Run(FirstVector()["key"], "0102", false, garbage));
        StringAssert.Contains(garbage.ToString(), "malformed: Truncated");
    }
}
