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
