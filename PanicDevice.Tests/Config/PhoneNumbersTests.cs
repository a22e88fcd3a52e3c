using PanicDevice.Core.Config;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Config
{
    /// <summary>
    /// One phone-number rule for provisioning and the device (issue 14, item 2): what provisioning normalises, the device's
    /// reader accepts; what it cannot normalise is refused with the reason.
    /// </summary>
    [TestClass]
    public class PhoneNumbersTests
    {
        private const string Config =
            "{ \"deviceId\": \"fob-0001\", \"key\": \"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\", " +
            "\"broker\": { \"host\": \"127.0.0.1\", \"port\": 1883 }, ";

        private static string Normalized(string typed, string country)
        {
            string problem;
            string e164 = PhoneNumbers.Normalize(typed, DialingPlan.Find(country), out problem);
            Assert.IsNull(problem, typed + ": " + problem);
            return e164;
        }

        private static string Problem(string typed, string country)
        {
            string problem;
            string e164 = PhoneNumbers.Normalize(typed, DialingPlan.Find(country), out problem);
            Assert.IsNull(e164, typed + " was accepted as " + e164);
            Assert.IsNotNull(problem);
            return problem;
        }

        private static string ReadError(string json)
        {
            return DeviceConfigReader.Read(json).Error;
        }

        [TestMethod]
        public void NationalAndInternationalFormsBecomeE164ForTheProvisioningCountry()
        {
            Assert.AreEqual("+6281200000001", Normalized("0812-0000-0001", "ID"));
            Assert.AreEqual("+6281234567890", Normalized("(0812) 3456.7890", "ID"));
            Assert.AreEqual("+6281234567890", Normalized("+62 812 3456 7890", "ID"));
            Assert.AreEqual("+6281234567890", Normalized("+6281234567890", "id"));
            Assert.AreEqual("+60123456789", Normalized("012-345 6789", "MY"));
            Assert.AreEqual("+6591234567", Normalized("+65 9123 4567", "SG"));
            Assert.AreEqual("+12025550123", Normalized("1 202 555 0123", "US"));
        }

        [TestMethod]
        public void WhatCannotBeNormalisedIsRefusedWithTheReason()
        {
            Expect.Contains("contains 'h'", Problem("hello", "ID"));
            Expect.Contains("neither international (+62", Problem("112", "ID"));
            Expect.Contains("neither international", Problem("812345678", "ID"));
            Expect.Contains("country code after the +", Problem("+0812345678", "ID"));
            Expect.Contains("digits with its country code", Problem("0812", "ID"));
            Expect.Contains("digits with its country code", Problem("+62812345678901234", "ID"));
            Expect.Contains("is empty", Problem("", "ID"));
            Expect.Contains("contains '+'", Problem("+62+812345678", "ID"));
            Expect.Contains("neither international", Problem("91234567", "SG"), "Singapore has no trunk prefix");
        }

        [TestMethod]
        public void EveryNumberProvisioningAcceptsIsOneTheDeviceAccepts()
        {
            // Random typing from the characters people use: whatever Normalize accepts, the device's reader must accept.
            string alphabet = "0123456789+-. ()x#";
            TestRandom random = new TestRandom(14002);
            int accepted = 0;
            for (int n = 0; n < 400; n++)
            {
                string typed = n % 2 == 0 ? "0" : "+62";
                int length = 3 + random.Next(14);
                for (int i = 0; i < length; i++)
                {
                    // Mostly digits, sometimes a separator, a stray + or a character no number has.
                    typed += alphabet[random.Next(i < 2 || random.Next(5) > 0 ? 10 : alphabet.Length)];
                }
                string problem;
                string e164 = PhoneNumbers.Normalize(typed, DialingPlan.Find("ID"), out problem);
                if (e164 == null)
                {
                    continue;
                }
                accepted++;
                Assert.IsTrue(PhoneNumbers.IsValid(e164), typed + " -> " + e164);
                string error = ReadError(Config + "\"owner\": { \"name\": \"Siti\", \"phone\": \"" + e164 + "\" }, \"guardians\": [\"" + e164 + "\"] }");
                Assert.IsNull(error, typed + " -> " + e164 + ": " + error);
            }
            Assert.IsTrue(accepted > 60, "the sample exercised accepted numbers: " + accepted.ToString());
        }

        [TestMethod]
        public void TheDeviceRefusesWhatProvisioningRefused()
        {
            Expect.Contains("owner.phone must be a phone number", ReadError(Config + "\"owner\": { \"name\": \"Siti\", \"phone\": \"hello\" } }"));
            Expect.Contains("guardians[0] must be a phone number", ReadError(Config + "\"guardians\": [\"0812-0000-0001\"] }"));
            Assert.IsFalse(PhoneNumbers.IsValid("0812-0000-0001"));
            Assert.IsTrue(PhoneNumbers.IsValid("+6281200000001"));
        }

        [TestMethod]
        public void ATestProfileNeverTextsAnEmergencyService()
        {
            Expect.Contains("profile \"test\" must not text an emergency service", ReadError(Config + "\"profile\": \"test\", \"emergencyNumber\": \"112\" }"));
            Expect.Contains("profile \"test\" must not text an emergency service", ReadError(Config + "\"profile\": \"test\" }"), "112 is the default");
            Expect.Contains("profile \"test\" must not text an emergency service", ReadError(Config + "\"profile\": \"test\", \"emergencyNumber\": \"999\" }"), "another country's too");
            Assert.IsNull(ReadError(Config + "\"profile\": \"test\", \"emergencyNumber\": \"+6281377777777\" }"));
            Assert.IsNull(ReadError(Config + "\"profile\": \"test\", \"emergencyNumber\": \"\" }"));
            Assert.IsNull(ReadError(Config + "\"profile\": \"live\", \"emergencyNumber\": \"112\" }"));
            Expect.Contains("profile must be \"live\" or \"test\"", ReadError(Config + "\"profile\": \"bench\" }"));
            DeviceConfigResult r = DeviceConfigReader.Read(Config + "\"profile\": \"test\", \"emergencyNumber\": \"+6281377777777\" }");
            Assert.AreEqual(DeviceConfig.TestProfile, r.Config.Profile);
            Assert.AreEqual(DeviceConfig.LiveProfile, DeviceConfigReader.Read(Config + "\"language\": \"en\" }").Config.Profile);
        }

        [TestMethod]
        public void TheDialingPlansKnowIndonesiaFirstAndEveryEmergencyService()
        {
            Assert.AreEqual("ID", DialingPlan.All[0].Country);
            Assert.AreEqual("112", DialingPlan.Find("id").EmergencyNumber);
            Assert.AreEqual("62", DialingPlan.Find("ID").CountryCode);
            Assert.IsNull(DialingPlan.Find("XX"));
            Assert.IsTrue(DialingPlan.IsEmergencyService("112"));
            Assert.IsTrue(DialingPlan.IsEmergencyService("110"));
            Assert.IsTrue(DialingPlan.IsEmergencyService("911"));
            Assert.IsFalse(DialingPlan.IsEmergencyService("+6281234567890"));
            Assert.IsFalse(DialingPlan.IsEmergencyService(""));
            Expect.StartsWith("ID, MY", DialingPlan.Known());
            for (int i = 0; i < DialingPlan.All.Length; i++)
            {
                Assert.IsTrue(DialingPlan.IsEmergencyService(DialingPlan.All[i].EmergencyNumber), DialingPlan.All[i].Country);
            }
        }
    }
}
