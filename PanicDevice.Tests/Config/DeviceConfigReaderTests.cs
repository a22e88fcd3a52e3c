using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Tests.Config;

[TestClass]
public class DeviceConfigReaderTests
{
    private const string KeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    private const string Fob = """
        {
          "deviceId": "fob-0001",
          "key": "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
          "kind": "fob",
          "owner": { "name": "Siti Rahma", "phone": "+6281234567890" },
          "language": "id",
          "emergencyNumber": "112",
          "guardians": ["+6281200000001", "+6281200000002"],
          "gatewayNumber": "+6281299999999",
          "broker": { "host": "alerts.example.org", "port": 8883 },
          "cellular": { "apn": "internet", "user": "", "password": "" },
          "timing": { "smsDeadlineS": 25, "followUpIntervalS": 30, "heartbeatIntervalS": 1800 },
          "feedback": { "silent": true }
        }
        """;

    [TestMethod]
    public void ReadsAFullFobConfiguration()
    {
        var r = DeviceConfigReader.Read(Fob);
        Assert.IsNull(r.Error, r.Error);
        var c = r.Config;
        Assert.AreEqual("fob-0001", c.DeviceId);
        Assert.AreEqual(KeyHex, Convert.ToHexString(c.Key).ToLowerInvariant());
        Assert.AreEqual(DeviceKind.Fob, c.Kind);
        Assert.AreEqual("Siti Rahma", c.OwnerName);
        Assert.AreEqual("id", c.Language);
        CollectionAssert.AreEqual(new[] { "+6281200000001", "+6281200000002" }, c.GuardianNumbers);
        Assert.AreEqual("+6281299999999", c.GatewayNumber);
        Assert.AreEqual(8883, c.BrokerPort);
        Assert.AreEqual(25, c.SmsDeadlineS);
        Assert.AreEqual(30, c.FollowUpIntervalS);
        Assert.IsNull(c.FixedLocation);
    }

    [TestMethod]
    public void DefaultsApplyWhenOptionalSettingsAreAbsent()
    {
        var r = DeviceConfigReader.Read("{\"deviceId\":\"fob-2\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"10.0.0.1\"}}");
        Assert.IsNull(r.Error, r.Error);
        Assert.AreEqual("112", r.Config.EmergencyNumber);
        Assert.AreEqual(1883, r.Config.BrokerPort);
        Assert.AreEqual(20, r.Config.SmsDeadlineS);
        Assert.AreEqual("en", r.Config.Language);
        Assert.IsEmpty(r.Config.GuardianNumbers);
    }

    [TestMethod]
    public void WallButtonNeedsAndReadsItsFixedLocationExactly()
    {
        string wall = "{\"deviceId\":\"wall-1\",\"key\":\"" + KeyHex + "\",\"kind\":\"wall\",\"broker\":{\"host\":\"h\"}";
        var missing = DeviceConfigReader.Read(wall + "}");
        StringAssert.Contains(missing.Error, "fixedLocation");
        var r = DeviceConfigReader.Read(wall + ",\"fixedLocation\":{\"lat\":-6.9147,\"lon\":107.6098,\"accuracyM\":15}}");
        Assert.IsNull(r.Error, r.Error);
        Assert.AreEqual(-69147000, r.Config.FixedLocation.LatitudeE7);
        Assert.AreEqual(1076098000, r.Config.FixedLocation.LongitudeE7);
        Assert.AreEqual(15, r.Config.FixedLocation.AccuracyM);
        Assert.AreEqual(LocationSource.FixedAddress, r.Config.FixedLocation.Source);
    }

    [TestMethod]
    [DataRow("{", "not valid JSON")]
    [DataRow("[]", "must be a JSON object")]
    [DataRow("{\"deviceId\":\"fob 1\"}", "deviceId may only contain")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"00\"}", "key must be 64 hexadecimal")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"brokr\":{}}", "unknown setting \"brokr\"")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"kind\":\"watch\"}", "kind must be")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\"}", "broker must be")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\",\"port\":70000}}", "broker.port")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\",\"prot\":1}}", "unknown setting \"broker.prot\"")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"guardians\":[\"+62 812\"]}", "guardians[0]")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"emergencyNumber\":\"help\"}", "emergencyNumber")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"cellular\":{\"apn\":\"a\\\",\\\"b\"}}", "without '\"'")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"timing\":{\"smsDeadlineS\":1}}", "smsDeadlineS")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"language\":\"fr\"}", "language")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":91,\"lon\":0}}", "fixedLocation.lat")]
    [DataRow("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"feedback\":{\"silent\":\"yes\"}}", "feedback.silent")]
    public void BrokenConfigurationGivesOneClearSentence(string json, string expected)
    {
        var r = DeviceConfigReader.Read(json.Replace("KEY", KeyHex));
        Assert.IsNull(r.Config);
        StringAssert.Contains(r.Error, expected);
    }

    [TestMethod]
    public void PatternsFromTheFileReplaceTheDefaultsAndAreValidated()
    {
        string basis = "{\"deviceId\":\"fob-1\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"h\"},\"patterns\":";
        var ok = DeviceConfigReader.Read(basis + "{\"tapMaxMs\":800,\"list\":[{\"action\":\"alert\",\"presses\":2,\"windowMs\":1500},{\"action\":\"duress-cancel\",\"presses\":1,\"holdMs\":6000}]}}");
        Assert.IsNull(ok.Error, ok.Error);
        Assert.AreEqual(800, ok.Config.Buttons.TapMaxMs);
        Assert.AreEqual(PanicDevice.Core.Button.ButtonAction.DuressCancel, ok.Config.Buttons.Patterns[1].Action);
        Assert.IsNull(DeviceConfigReader.Read("{\"deviceId\":\"fob-1\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"h\"}}").Config.Buttons, "absent: the kind's defaults");

        StringAssert.Contains(DeviceConfigReader.Read(basis + "{\"list\":[{\"action\":\"factory-reset\"}]}}").Error, "action must be alert");
        StringAssert.Contains(DeviceConfigReader.Read(basis + "{\"list\":[{\"action\":\"alert\",\"holdMs\":100}]}}").Error, "patterns: pattern 1");
        StringAssert.Contains(DeviceConfigReader.Read(basis + "{\"list\":[]}}").Error, "1..16 patterns");
        StringAssert.Contains(DeviceConfigReader.Read(basis + "{\"list\":[{\"action\":\"alert\",\"taps\":3}]}}").Error, "unknown setting \"patterns.list[0].taps\"");
    }

    [TestMethod]
    public void ErrorsNeverEchoSecrets()
    {
        string secretKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa9988776655443322110"; // 63 chars
        var r = DeviceConfigReader.Read("{\"deviceId\":\"fob-1\",\"key\":\"" + secretKey + "\"}");
        Assert.IsNotNull(r.Error);
        Assert.IsFalse(r.Error.Contains(secretKey[..16]), r.Error);
        var bad = DeviceConfigReader.Read("{\"deviceId\":\"fob-1\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"h\"},\"wifi\":{\"ssid\":\"shop\",\"password\":42}}");
        StringAssert.Contains(bad.Error, "wifi.ssid and wifi.password");
    }

    [TestMethod]
    public void MutatedConfigurationsNeverThrow()
    {
        var rng = new Random(5);
        const string alphabet = "{}[]\":,0-9a\" \\";
        for (int i = 0; i < 20_000; i++)
        {
            char[] doc = Fob.ToCharArray();
            for (int e = rng.Next(1, 4); e > 0; e--) doc[rng.Next(doc.Length)] = alphabet[rng.Next(alphabet.Length)];
            var r = DeviceConfigReader.Read(new string(doc));
            Assert.AreEqual(r.Config == null, r.Error != null);
        }
    }
}
