using System.Text;
using PanicDevice.Core.Button;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Config
{
    [TestClass]
    public class DeviceConfigReaderTests
    {
        private const string KeyHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

        private const string Fob =
            "{\n" +
            "  \"deviceId\": \"fob-0001\",\n" +
            "  \"key\": \"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\",\n" +
            "  \"kind\": \"fob\",\n" +
            "  \"owner\": { \"name\": \"Siti Rahma\", \"phone\": \"+6281234567890\" },\n" +
            "  \"language\": \"id\",\n" +
            "  \"emergencyNumber\": \"112\",\n" +
            "  \"guardians\": [\"+6281200000001\", \"+6281200000002\"],\n" +
            "  \"gatewayNumber\": \"+6281299999999\",\n" +
            "  \"broker\": { \"host\": \"alerts.example.org\", \"port\": 8883 },\n" +
            "  \"cellular\": { \"apn\": \"internet\", \"user\": \"\", \"password\": \"\" },\n" +
            "  \"timing\": { \"smsDeadlineS\": 25, \"followUpIntervalS\": 30, \"heartbeatIntervalS\": 1800 },\n" +
            "  \"feedback\": { \"silent\": true }\n" +
            "}";

        /// <summary>Every "KEY" in <paramref name="json"/> replaced by the test key (nanoFramework's string has no Replace).</summary>
        private static string WithKey(string json)
        {
            StringBuilder sb = new StringBuilder();
            int from = 0;
            while (true)
            {
                int at = json.IndexOf("KEY", from);
                if (at < 0)
                {
                    break;
                }
                sb.Append(json.Substring(from, at - from)).Append(KeyHex);
                from = at + 3;
            }
            return sb.Append(json.Substring(from)).ToString();
        }

        private static string Joined(string[] items)
        {
            string text = "";
            for (int i = 0; i < items.Length; i++)
            {
                text += (i > 0 ? "|" : "") + items[i];
            }
            return text;
        }

        [TestMethod]
        public void AnOversizedFileIsRefusedBeforeItIsDecoded()
        {
            // A corrupt or wrong file on I:\ must give the fault pattern with a reason, not run the device out of memory.
            byte[] huge = new byte[JsonReader.MaxLength * 4 + 1];
            for (int i = 0; i < huge.Length; i++)
            {
                huge[i] = (byte)' ';
            }
            DeviceConfigResult r = DeviceConfigReader.ReadUtf8(huge);
            Assert.IsNull(r.Config);
            Expect.Contains("longer than", r.Error);
            DeviceConfigResult text = DeviceConfigReader.Read(new string(' ', JsonReader.MaxLength + 1));
            Assert.IsNull(text.Config);
            Expect.Contains("longer than", text.Error);
        }

        [TestMethod]
        public void ReadsAFullFobConfiguration()
        {
            DeviceConfigResult r = DeviceConfigReader.Read(Fob);
            Assert.IsNull(r.Error, r.Error);
            DeviceConfig c = r.Config;
            Assert.AreEqual("fob-0001", c.DeviceId);
            Assert.AreEqual(KeyHex, Hex.Of(c.Key));
            Assert.AreEqual((int)DeviceKind.Fob, (int)c.Kind);
            Assert.AreEqual("Siti Rahma", c.OwnerName);
            Assert.AreEqual("id", c.Language);
            Assert.AreEqual("+6281200000001|+6281200000002", Joined(c.GuardianNumbers));
            Assert.AreEqual("+6281299999999", c.GatewayNumber);
            Assert.AreEqual(8883, c.BrokerPort);
            Assert.AreEqual(25, c.SmsDeadlineS);
            Assert.AreEqual(30, c.FollowUpIntervalS);
            Assert.IsNull(c.FixedLocation);
        }

        [TestMethod]
        public void DefaultsApplyWhenOptionalSettingsAreAbsent()
        {
            DeviceConfigResult r = DeviceConfigReader.Read("{\"deviceId\":\"fob-2\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"10.0.0.1\"}}");
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual("112", r.Config.EmergencyNumber);
            Assert.AreEqual(1883, r.Config.BrokerPort);
            Assert.AreEqual(20, r.Config.SmsDeadlineS);
            Assert.AreEqual("en", r.Config.Language);
            Assert.AreEqual(0, r.Config.GuardianNumbers.Length);
        }

        [TestMethod]
        public void WallButtonNeedsAndReadsItsFixedLocationExactly()
        {
            string wall = "{\"deviceId\":\"wall-1\",\"key\":\"" + KeyHex + "\",\"kind\":\"wall\",\"broker\":{\"host\":\"h\"}";
            DeviceConfigResult missing = DeviceConfigReader.Read(wall + "}");
            Expect.Contains("fixedLocation", missing.Error);
            DeviceConfigResult r = DeviceConfigReader.Read(wall + ",\"fixedLocation\":{\"lat\":-6.9147,\"lon\":107.6098,\"accuracyM\":15}}");
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual(-69147000, r.Config.FixedLocation.LatitudeE7);
            Assert.AreEqual(1076098000, r.Config.FixedLocation.LongitudeE7);
            Assert.AreEqual(15, r.Config.FixedLocation.AccuracyM);
            Assert.AreEqual((int)LocationSource.FixedAddress, (int)r.Config.FixedLocation.Source);
        }

        [TestMethod]
        [DataRow("{", "not valid JSON")]
        [DataRow("[]", "must be a JSON object")]
        [DataRow("{\"deviceId\":\"fob 1\"}", "deviceId may only contain")]
        [DataRow("{\"deviceId\":\".\"}", "deviceId must not be only dots")]
        [DataRow("{\"deviceId\":\"..\"}", "deviceId must not be only dots")]
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
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey(json));
            Assert.IsNull(r.Config);
            Expect.Contains(expected, r.Error);
        }

        [TestMethod]
        [DataRow("-6.9147", "107.6098", -69147000, 1076098000)]
        [DataRow("-90", "-180", -900000000, -1800000000)]
        [DataRow("90", "180", 900000000, 1800000000)]
        [DataRow("90.0000000", "180.00000000", 900000000, 1800000000)]
        [DataRow("-0.0000001", "0.0000001", -1, 1)]
        [DataRow("-0", "0.0", 0, 0)]
        [DataRow("51.4778", "-0.0014", 514778000, -14000)]
        [DataRow("-33.8688197", "151.2092955", -338688197, 1512092955)]
        [DataRow("-6.91470000", "107.60980000000", -69147000, 1076098000)]
        public void FixedLocationCoordinatesAreReadExactly(string lat, string lon, int latE7, int lonE7)
        {
            // A wall unit's address goes into every alert it sends: read to the 1e-7 degree, never through a double.
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"wall-1\",\"key\":\"KEY\",\"kind\":\"wall\",\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":" + lat + ",\"lon\":" + lon + "}}"));
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual(latE7, r.Config.FixedLocation.LatitudeE7, "lat " + lat);
            Assert.AreEqual(lonE7, r.Config.FixedLocation.LongitudeE7, "lon " + lon);
            Assert.AreEqual(10, r.Config.FixedLocation.AccuracyM, "the default accuracy");
        }

        [TestMethod]
        [DataRow("90.0000001", "0", "fixedLocation.lat")]
        [DataRow("-90.0000001", "0", "fixedLocation.lat")]
        [DataRow("0", "180.0000001", "fixedLocation.lon")]
        [DataRow("0", "-180.0000001", "fixedLocation.lon")]
        [DataRow("-6.91470001", "0", "fixedLocation.lat")]
        [DataRow("-6.9147e0", "0", "fixedLocation.lat")]
        [DataRow("0", "1.076098E2", "fixedLocation.lon")]
        [DataRow("\"-6.9147\"", "0", "fixedLocation.lat")]
        [DataRow("0", "null", "fixedLocation.lon")]
        [DataRow("99999999999999999999", "0", "fixedLocation.lat")]
        [DataRow("1844674407370.9551617", "0", "fixedLocation.lat")]
        [DataRow("429.4967297", "0", "fixedLocation.lat")]
        [DataRow("0", "-429.4967296", "fixedLocation.lon")]
        public void CoordinatesOutOfRangeOrTooPreciseNameTheSetting(string lat, string lon, string expected)
        {
            // 1844674407370.9551617 is 2^64 + 1 in 1e-7 degrees and 429.4967297 is 2^32 + 1: wrapped, either would
            // read as a plausible position near 0,0. Refused instead, naming the coordinate.
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"wall-1\",\"key\":\"KEY\",\"kind\":\"wall\",\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":" + lat + ",\"lon\":" + lon + "}}"));
            Assert.IsNull(r.Config, lat + "," + lon + " was accepted");
            Expect.StartsWith(expected + " must be degrees", r.Error);
        }

        [TestMethod]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":1}", "")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":65535}", "")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":0}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":65536}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":-8883}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":8.883e3}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":8883.5}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":\"8883\"}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":18446744073709560499}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\",\"port\":4294976179}", "broker.port")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"smsDeadlineS\":5}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"smsDeadlineS\":600}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"smsDeadlineS\":4}", "timing.smsDeadlineS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"smsDeadlineS\":601}", "timing.smsDeadlineS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"followUpIntervalS\":10}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"followUpIntervalS\":3600}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"followUpIntervalS\":9}", "timing.followUpIntervalS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"followUpIntervalS\":3601}", "timing.followUpIntervalS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"heartbeatIntervalS\":60}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"heartbeatIntervalS\":86400}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"heartbeatIntervalS\":59}", "timing.heartbeatIntervalS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"heartbeatIntervalS\":86401}", "timing.heartbeatIntervalS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"timing\":{\"heartbeatIntervalS\":-3600}", "timing.heartbeatIntervalS")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":0,\"lon\":0,\"accuracyM\":0}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":0,\"lon\":0,\"accuracyM\":65534}", "")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":0,\"lon\":0,\"accuracyM\":65535}", "fixedLocation.accuracyM")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":0,\"lon\":0,\"accuracyM\":-1}", "fixedLocation.accuracyM")]
        [DataRow("\"broker\":{\"host\":\"h\"},\"fixedLocation\":{\"lat\":0,\"lon\":0,\"accuracyM\":12.5}", "fixedLocation.accuracyM")]
        public void WholeNumberLimitsAreInclusiveAndOneBeyondNamesTheSetting(string members, string expected)
        {
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\"," + members + "}"));
            if (expected.Length == 0)
            {
                Assert.IsNull(r.Error, r.Error);
                Assert.IsNotNull(r.Config);
            }
            else
            {
                Assert.IsNull(r.Config, members + " was accepted");
                Expect.StartsWith(expected + " must be", r.Error);
            }
        }

        [TestMethod]
        public void WholeNumbersAreReadExactlyFromAnyValidSpelling()
        {
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\",\"port\":8883.000},\"timing\":{\"smsDeadlineS\":600,\"followUpIntervalS\":10.0,\"heartbeatIntervalS\":86400}}"));
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual(8883, r.Config.BrokerPort, "a zero fraction is still the whole number");
            Assert.AreEqual(600, r.Config.SmsDeadlineS);
            Assert.AreEqual(10, r.Config.FollowUpIntervalS);
            Assert.AreEqual(86400, r.Config.HeartbeatIntervalS);
        }

        [TestMethod]
        [DataRow("\"owner\":{\"name\":\"S\",\"phone\":\"0812-345\"}", "owner.phone must be")]
        [DataRow("\"owner\":{\"nmae\":\"S\"}", "unknown setting \"owner.nmae\"")]
        [DataRow("\"owner\":\"Siti\"", "owner must be an object")]
        [DataRow("\"owner\":{\"name\":7}", "owner.name and owner.phone must be strings")]
        [DataRow("\"gatewayNumber\":\"12\"", "gatewayNumber must be")]
        [DataRow("\"guardians\":[\"+6281200000001\",\"112a\"]", "guardians[1] must be")]
        [DataRow("\"guardians\":[\"111\",\"112\",\"113\",\"114\",\"115\",\"116\",\"117\",\"118\",\"119\"]", "guardians must be a list of at most 8")]
        [DataRow("\"guardians\":\"+6281200000001\"", "guardians must be a list")]
        [DataRow("\"timing\":[]", "timing must be an object")]
        [DataRow("\"timing\":{\"smsDeadline\":20}", "unknown setting \"timing.smsDeadline\"")]
        [DataRow("\"cellular\":\"internet\"", "cellular must be an object")]
        [DataRow("\"cellular\":{\"apn\":\"internet\",\"pass\":\"x\"}", "unknown setting \"cellular.pass\"")]
        [DataRow("\"wifi\":{\"ssid\":\"shop\",\"psk\":\"x\"}", "unknown setting \"wifi.psk\"")]
        [DataRow("\"fixedLocation\":{\"lat\":0,\"lng\":0}", "unknown setting \"fixedLocation.lng\"")]
        [DataRow("\"fixedLocation\":{\"lat\":0}", "fixedLocation.lon must be")]
        [DataRow("\"feedback\":{\"quiet\":true}", "unknown setting \"feedback.quiet\"")]
        [DataRow("\"patterns\":{\"list\":[{\"action\":\"alert\",\"presses\":3,\"windowMs\":2000},{\"action\":\"panic\"}]}", "patterns.list[1].action must be")]
        [DataRow("\"patterns\":{\"list\":[{\"action\":\"alert\",\"presses\":9}]}", "patterns.list[0].presses must be")]
        [DataRow("\"patterns\":{\"list\":[{\"action\":\"alert\",\"presses\":3,\"windowMs\":2000},{\"action\":\"alert\",\"holdMs\":-1}]}", "patterns.list[1].holdMs must be")]
        [DataRow("\"patterns\":{\"list\":[{\"action\":\"alert\",\"presses\":3,\"windowMs\":2e3}]}", "patterns.list[0].windowMs must be")]
        [DataRow("\"patterns\":{\"debounceMs\":501,\"list\":[{\"action\":\"alert\"}]}", "patterns.debounceMs must be")]
        [DataRow("\"patterns\":{\"tapMaxMs\":49,\"list\":[{\"action\":\"alert\"}]}", "patterns.tapMaxMs must be")]
        [DataRow("\"patterns\":{\"stuckMs\":999,\"list\":[{\"action\":\"alert\"}]}", "patterns.stuckMs must be")]
        [DataRow("\"patterns\":{\"cooldownMs\":10001,\"list\":[{\"action\":\"alert\"}]}", "patterns.cooldownMs must be")]
        [DataRow("\"patterns\":{\"list\":[{\"action\":\"alert\",\"presses\":2,\"windowMs\":2000},{\"action\":\"test\",\"presses\":2,\"windowMs\":1000}]}", "patterns: pattern 2: same presses and hold as pattern 1")]
        [DataRow("\"patterns\":{\"list\":[\"alert\"]}", "patterns.list[0] must be an object")]
        [DataRow("\"calls\":true", "calls must be an object")]
        [DataRow("\"calls\":{\"enable\":true}", "unknown setting \"calls.enable\"")]
        [DataRow("\"calls\":{\"enabled\":\"yes\"}", "calls.enabled, callEmergency")]
        [DataRow("\"calls\":{\"rounds\":11}", "calls.rounds must be 1..10")]
        [DataRow("\"calls\":{\"ringS\":4}", "calls.ringS must be")]
        [DataRow("\"calls\":{\"confirmKey\":\"12\"}", "calls.confirmKey must be")]
        [DataRow("\"calls\":{\"callBackNumbers\":[\"+62 21 555\"]}", "calls.callBackNumbers[0] must be a phone number")]
        [DataRow("\"calls\":{\"micGain\":16}", "calls.micGain must be")]
        [DataRow("\"emergencyNumber\":\"\",\"calls\":{\"enabled\":true}", "calls.enabled needs someone to call")]
        public void EveryRefusalNamesTheSettingToFix(string members, string expected)
        {
            // The installer reads one sentence on the serial console and must find the line to change from it.
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"}," + members + "}"));
            Assert.IsNull(r.Config, members + " was accepted");
            Expect.Contains(expected, r.Error);
        }

        [TestMethod]
        [DataRow("0", 0L, "")]
        [DataRow("1735689600", 1735689600L, "")]
        [DataRow("4227858430", 4227858430L, "")]
        [DataRow("4227858431", 0L, "counterFloor")]
        [DataRow("-1", 0L, "counterFloor")]
        [DataRow("12.5", 0L, "counterFloor")]
        [DataRow("\"5\"", 0L, "counterFloor")]
        public void CounterFloorIsAWholeNumberUpToTheHighestJumpACounterTakes(string value, long floor, string expected)
        {
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"counterFloor\":" + value + "}"));
            if (expected.Length == 0)
            {
                Assert.IsNull(r.Error, r.Error);
                Assert.AreEqual(floor, (long)r.Config.CounterFloor, "counter floor " + value);
            }
            else
            {
                Assert.IsNull(r.Config, value + " was accepted");
                Expect.StartsWith(expected + " must be", r.Error);
            }
            DeviceConfigResult none = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"}}"));
            Assert.AreEqual(0L, (long)none.Config.CounterFloor, "no floor unless the file has one");
        }

        [TestMethod]
        public void CallsAreOffUnlessConfiguredAndReadWhenThey()
        {
            DeviceConfigResult plain = DeviceConfigReader.Read(Fob);
            Assert.IsFalse(plain.Config.Calls.Enabled, "calls need a microphone and a voice SIM: off by default");
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"}," +
                "\"guardians\":[\"+6281200000001\"],\"calls\":{\"enabled\":true,\"callEmergency\":false,\"atOnce\":true,\"rounds\":2,\"ringS\":25," +
                "\"confirmKey\":\"#\",\"listenIn\":true,\"callBackNumbers\":[\"+62215550000\"],\"micGain\":12,\"speakerVolume\":0}}"));
            Assert.IsNull(r.Error, r.Error);
            CallOptions o = r.Config.Calls;
            Assert.IsTrue(o.Enabled);
            Assert.IsFalse(o.CallEmergency);
            Assert.IsTrue(o.AtOnce);
            Assert.AreEqual(2, o.Rounds);
            Assert.AreEqual(25, o.RingS);
            Assert.AreEqual("#", o.ConfirmKey);
            Assert.IsTrue(o.ListenIn);
            Assert.AreEqual(1, o.CallBackNumbers.Length);
            Assert.AreEqual("+62215550000", o.CallBackNumbers[0]);
            Assert.AreEqual(12, o.MicGain);
            Assert.AreEqual(0, o.SpeakerVolume);
            Assert.AreEqual(180, o.EmergencyHoldS, "unset values keep their defaults");
        }

        [TestMethod]
        public void DeviceIdAndBrokerHostLengthsAreBounded()
        {
            string id32 = "fob-" + new string('9', 28);
            DeviceConfigResult ok = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"" + id32 + "\",\"key\":\"KEY\",\"broker\":{\"host\":\"" + new string('h', 253) + "\"}}"));
            Assert.IsNull(ok.Error, ok.Error);
            Assert.AreEqual(id32, ok.Config.DeviceId);
            Expect.Contains("deviceId must be 1..32", DeviceConfigReader.Read(WithKey("{\"deviceId\":\"" + id32 + "0\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"}}")).Error);
            Expect.Contains("deviceId must be 1..32", DeviceConfigReader.Read(WithKey("{\"deviceId\":\"\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"}}")).Error);
            Expect.Contains("deviceId may only contain", DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-\u00e9\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"}}")).Error);
            Expect.Contains("broker.host", DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"" + new string('h', 254) + "\"}}")).Error);
            Expect.Contains("broker.host", DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"\"}}")).Error);
        }

        [TestMethod]
        public void OwnerNameInAnyScriptIsKeptExactly()
        {
            // The name goes into the SMS to 112 and the guardians: what the file says is what they read.
            string name = "Ra\u1e25mah \u0623\u062d\u0645\u062f \ud83d\udea8";
            DeviceConfigResult r = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"owner\":{\"name\":\"" + name + "\",\"phone\":\"+6281234567890\"}}"));
            Assert.IsNull(r.Error, r.Error);
            Assert.AreEqual(name, r.Config.OwnerName);
            DeviceConfigResult escaped = DeviceConfigReader.Read(WithKey("{\"deviceId\":\"fob-1\",\"key\":\"KEY\",\"broker\":{\"host\":\"h\"},\"owner\":{\"name\":\"Ra\\u1e25mah \\ud83d\\udea8\"}}"));
            Assert.IsNull(escaped.Error, escaped.Error);
            Assert.AreEqual("Ra\u1e25mah \ud83d\udea8", escaped.Config.OwnerName);
        }

        [TestMethod]
        public void PatternsFromTheFileReplaceTheDefaultsAndAreValidated()
        {
            string basis = "{\"deviceId\":\"fob-1\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"h\"},\"patterns\":";
            DeviceConfigResult ok = DeviceConfigReader.Read(basis + "{\"tapMaxMs\":800,\"list\":[{\"action\":\"alert\",\"presses\":2,\"windowMs\":1500},{\"action\":\"duress-cancel\",\"presses\":1,\"holdMs\":6000}]}}");
            Assert.IsNull(ok.Error, ok.Error);
            Assert.AreEqual(800, ok.Config.Buttons.TapMaxMs);
            Assert.AreEqual((int)ButtonAction.DuressCancel, (int)ok.Config.Buttons.Patterns[1].Action);
            Assert.IsNull(DeviceConfigReader.Read("{\"deviceId\":\"fob-1\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"h\"}}").Config.Buttons, "absent: the kind's defaults");

            Expect.Contains("action must be alert", DeviceConfigReader.Read(basis + "{\"list\":[{\"action\":\"factory-reset\"}]}}").Error);
            Expect.Contains("patterns: pattern 1", DeviceConfigReader.Read(basis + "{\"list\":[{\"action\":\"alert\",\"holdMs\":100}]}}").Error);
            Expect.Contains("1..16 patterns", DeviceConfigReader.Read(basis + "{\"list\":[]}}").Error);
            Expect.Contains("unknown setting \"patterns.list[0].taps\"", DeviceConfigReader.Read(basis + "{\"list\":[{\"action\":\"alert\",\"taps\":3}]}}").Error);
        }

        [TestMethod]
        public void ErrorsNeverEchoSecrets()
        {
            string secretKey = "ffeeddccbbaa99887766554433221100ffeeddccbbaa9988776655443322110"; // 63 chars
            DeviceConfigResult r = DeviceConfigReader.Read("{\"deviceId\":\"fob-1\",\"key\":\"" + secretKey + "\"}");
            Assert.IsNotNull(r.Error);
            Expect.DoesNotContain(secretKey.Substring(0, 16), r.Error);
            DeviceConfigResult bad = DeviceConfigReader.Read("{\"deviceId\":\"fob-1\",\"key\":\"" + KeyHex + "\",\"broker\":{\"host\":\"h\"},\"wifi\":{\"ssid\":\"shop\",\"password\":42}}");
            Expect.Contains("wifi.ssid and wifi.password", bad.Error);
        }

        [TestMethod]
        public void MutatedConfigurationsNeverThrow()
        {
            TestRandom rng = new TestRandom(5);
            const string alphabet = "{}[]\":,0-9a\" \\";
            for (int i = 0; i < 20000; i++)
            {
                char[] doc = Fob.ToCharArray();
                for (int e = rng.Next(1, 4); e > 0; e--)
                {
                    doc[rng.Next(doc.Length)] = alphabet[rng.Next(alphabet.Length)];
                }
                DeviceConfigResult r = DeviceConfigReader.Read(new string(doc));
                Assert.AreEqual(r.Config == null, r.Error != null, "a result is either a configuration or an error");
            }
        }
    }
}
