using System.Text.RegularExpressions;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol;

/// <summary>The test vectors printed in docs/protocol.md, checked byte for byte against Core's codec.</summary>
[TestClass]
public class ProtocolVectorTests
{
    private static List<Dictionary<string, string>> Vectors()
    {
        string text = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        var vectors = new List<Dictionary<string, string>>();
        foreach (Match block in Regex.Matches(text, "```vector\\n(.*?)```", RegexOptions.Singleline))
        {
            var fields = new Dictionary<string, string>();
            foreach (string line in block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = line.IndexOf(": ", StringComparison.Ordinal);
                fields[line[..colon].Trim()] = line[(colon + 2)..].Trim();
            }
            vectors.Add(fields);
        }
        return vectors;
    }

    private static Frame FieldsToFrame(Dictionary<string, string> v)
    {
        Frame f = Frame.Create(Enum.Parse<MessageKind>(v["kind"]), v["device"], uint.Parse(v["counter"]), byte.Parse(v["code"]));
        f.TimeUtcSeconds = uint.Parse(v["time_utc_s"]);
        f.LatitudeE7 = int.Parse(v["lat_e7"]);
        f.LongitudeE7 = int.Parse(v["lon_e7"]);
        f.AccuracyM = ushort.Parse(v["accuracy_m"]);
        f.FixAgeS = ushort.Parse(v["fix_age_s"]);
        f.Source = Enum.Parse<LocationSource>(v["source"]);
        f.BatteryPercent = byte.Parse(v["battery_pct"]);
        f.SignalDbm = sbyte.Parse(v["signal_dbm"]);
        f.Flags = byte.Parse(v["flags"]);
        if (v.TryGetValue("next_counter", out string? next))
        {
            f.NextCounter = uint.Parse(next);
            f.AnsweredTag = uint.Parse(v["answered_tag"], System.Globalization.NumberStyles.HexNumber);
        }
        return f;
    }

    [TestMethod]
    public void ProtocolDocumentHasAtLeastThreeVectorsCoveringDeviceAndReceiverFrames()
    {
        var vectors = Vectors();
        Assert.IsGreaterThanOrEqualTo(3, vectors.Count);
        Assert.IsTrue(vectors.Any(v => v["kind"] == "Ack"), "a receiver acknowledgement vector is documented");
        Assert.IsTrue(vectors.Any(v => v["source"] == "None"), "a vector without a position is documented");
        Assert.IsTrue(vectors.Any(v => v["kind"] == "Resync"), "a counter resync vector is documented");
    }

    [TestMethod]
    public void EncodingTheDocumentedFieldsGivesTheDocumentedBytes()
    {
        foreach (var v in Vectors())
        {
            byte[] key = RepoFiles.FromHex(v["key"]);
            byte[] encoded = FrameCodec.Encode(FieldsToFrame(v), key);
            Assert.AreEqual(v["frame"] + v["tag"], RepoFiles.ToHex(encoded), v["name"]);
            Assert.AreEqual(v["sms"], FrameText.Encode(encoded), v["name"]);
        }
    }

    [TestMethod]
    public void DecodingTheDocumentedBytesGivesTheDocumentedFieldsAndAValidTag()
    {
        foreach (var v in Vectors())
        {
            byte[] key = RepoFiles.FromHex(v["key"]);
            byte[] bytes = RepoFiles.FromHex(v["frame"] + v["tag"]);
            DecodeResult result = FrameCodec.DecodeAndVerify(bytes, key);
            Assert.AreEqual(DecodeStatus.Ok, result.Status, v["name"] + ": " + result.Detail);
            SampleFrames.AssertSameFields(FieldsToFrame(v), result.Frame);

            DecodeResult fromText = FrameText.Decode(v["sms"]);
            Assert.AreEqual(DecodeStatus.Ok, fromText.Status, v["name"]);
            Assert.AreEqual(v["device"], fromText.Frame.DeviceId);
        }
    }

    /// <summary>The "SMS text form" section's examples: (result, text with the notation expanded, the line as written).</summary>
    private static List<(string Result, string Text, string Line)> SmsTextExamples()
    {
        string doc = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        Match block = Regex.Match(doc, "```sms-text\n(.*?)```", RegexOptions.Singleline);
        Assert.IsTrue(block.Success, "protocol.md has an sms-text block of examples");
        var examples = new List<(string, string, string)>();
        foreach (string line in block.Groups[1].Value.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            string written = parts[1].Trim();
            int comment = written.IndexOf("  #", StringComparison.Ordinal);
            examples.Add((parts[0], Expand(comment < 0 ? written : written[..comment].Trim()), line));
        }
        return examples;
    }

    /// <summary>␠ ␉ ␍ ␊ are space, tab, CR, LF; &lt;U+XXXX&gt; is that character; x{n} is x n times.</summary>
    private static string Expand(string written)
    {
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < written.Length; i++)
        {
            char c = written[i];
            if (c == '<' && written[i..].StartsWith("<U+", StringComparison.Ordinal))
            {
                int end = written.IndexOf('>', i);
                sb.Append((char)Convert.ToInt32(written[(i + 3)..end], 16));
                i = end;
            }
            else if (c == '{')
            {
                int end = written.IndexOf('}', i);
                sb.Append(sb[^1], int.Parse(written[(i + 1)..end]) - 1);
                i = end;
            }
            else
            {
                sb.Append(c switch { '␠' => ' ', '␉' => '\t', '␍' => '\r', '␊' => '\n', _ => c });
            }
        }
        return sb.ToString();
    }

    [TestMethod]
    public void EverySmsTextExampleDecodesAsTheDocumentSays()
    {
        var frames = Vectors().Select(v => v["frame"] + v["tag"]).ToList();
        foreach (var (result, text, line) in SmsTextExamples())
        {
            DecodeResult decoded = FrameText.Decode(text);
            Assert.AreEqual(result, decoded.Status.ToString(), line + " → " + decoded.Detail);
            if (result == "Ok")
            {
                CollectionAssert.Contains(frames, RepoFiles.ToHex(FrameText.ToBytes(text)!), "an Ok example is the text of a documented vector: " + line);
            }
        }
    }

    [TestMethod]
    public void SmsTextExamplesCoverEveryRuleOfTheSection()
    {
        string doc = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        Match limit = Regex.Match(doc, @"\*\*Length\*\*: at most \*\*(\d+)\*\* characters without the white space");
        Assert.IsTrue(limit.Success, "the section states the length limit");
        Assert.AreEqual(FrameText.MaxTextLength, int.Parse(limit.Groups[1].Value));
        StringAssert.Contains(doc, "`" + FrameText.Prefix + "` followed by standard base64");

        var examples = SmsTextExamples();
        var ok = examples.Where(e => e.Result == "Ok").Select(e => e.Text).ToList();
        foreach (char space in " \t\r\n")
        {
            Assert.IsTrue(ok.Any(t => t.Contains(space)), "an Ok example has white space " + (int)space);
        }
        Assert.IsTrue(ok.Any(t => char.IsWhiteSpace(t[0]) && char.IsWhiteSpace(t[^1])), "white space before the prefix and after the end");
        Assert.IsTrue(ok.Any(t => !t.Contains('=')), "padding left out");
        Assert.IsTrue(ok.Any(t => t.Contains('-') && t.Contains('_')), "the URL-safe alphabet");
        Assert.IsTrue(ok.Any(t => t.Length > 2 * FrameText.MaxTextLength), "white space is not counted towards the limit");
        // The limit itself, from both sides: the longest text is decoded, a longer one is refused as text.
        int Significant(string t) => t.Count(c => c is not (' ' or '\t' or '\r' or '\n'));
        Assert.IsTrue(examples.Any(e => e.Result != "BadText" && Significant(e.Text) == FrameText.MaxTextLength), "an example at the limit is not BadText");
        Assert.IsTrue(examples.Any(e => e.Result == "BadText" && Significant(e.Text) > FrameText.MaxTextLength && Base64Strict.Decode(e.Text, e.Text.IndexOf(':') + 1) != null),
            "an example over the limit that would otherwise be valid base64 is BadText");
        Assert.IsTrue(examples.Any(e => e.Result == "BadText" && e.Text.Contains('\u00A0')), "a character that is white space elsewhere is not white space here");
    }

    [TestMethod]
    public void DocumentedMqttPasswordIsDerivedFromTheKey()
    {
        string doc = File.ReadAllText(RepoFiles.DataFile("protocol.md"));
        Match m = Regex.Match(doc, @"the password is\s+`([^`]+)`");
        Assert.IsTrue(m.Success, "protocol.md documents a password vector");
        Assert.AreEqual(m.Groups[1].Value, DeviceCredentials.MqttPassword(SampleFrames.Key(0)));
        // Distinct keys and refused key lengths need no document: DeviceCredentialsTests, on both runtimes.
    }

    [TestMethod]
    public void DocumentedTagIsTheHmacOfTheDocumentedFrameBytes()
    {
        foreach (var v in Vectors())
        {
            byte[] key = RepoFiles.FromHex(v["key"]);
            byte[] signed = RepoFiles.FromHex(v["frame"]);
            Assert.AreEqual(v["tag"], RepoFiles.ToHex(FrameSigner.ComputeTag(key, signed, signed.Length)), v["name"]);
            Assert.IsFalse(FrameCodec.VerifyTag(RepoFiles.FromHex(v["frame"] + v["tag"]), SampleFrames.Key(0x55)), v["name"] + " must not verify under another key");
        }
    }
}
