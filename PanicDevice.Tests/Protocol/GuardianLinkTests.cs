using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Protocol
{
    /// <summary>Guardian links (docs/protocol.md, Guardian links): one token per press, made offline, in the fragment.</summary>
    [TestClass]
    public class GuardianLinkTests
    {
        private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

        [TestMethod]
        public void ATokenIsSixteenBase32CharactersAndNamesOnePressOfOneDeviceUnderOneKey()
        {
            byte[] key = SampleFrames.Key(0x30);
            string t = GuardianLink.Token(key, "fob-0042", 1234);
            Assert.AreEqual(GuardianLink.TokenLength, t.Length);
            for (int i = 0; i < t.Length; i++)
            {
                Assert.IsTrue(Alphabet.IndexOf(t.Substring(i, 1)) >= 0, "character " + t.Substring(i, 1));
            }
            Assert.AreEqual(t, GuardianLink.Token(key, "fob-0042", 1234), "the device and the receiver make the same one");
            Assert.AreNotEqual(t, GuardianLink.Token(key, "fob-0042", 1235));
            Assert.AreNotEqual(t, GuardianLink.Token(key, "fob-0043", 1234));
            Assert.AreNotEqual(t, GuardianLink.Token(SampleFrames.Key(0x31), "fob-0042", 1234));
            Assert.AreEqual(0x30, (int)key[0], "the key is untouched");
        }

        [TestMethod]
        public void TheTokenTravelsInTheFragment()
        {
            byte[] key = SampleFrames.Key(0x30);
            Assert.AreEqual("https://help.example.org/g/fob-0042/1234#" + GuardianLink.Token(key, "fob-0042", 1234),
                GuardianLink.Link("https://help.example.org", key, "fob-0042", 1234));
            Assert.AreEqual("", GuardianLink.Link("", key, "fob-0042", 1234));
        }

        [TestMethod]
        public void ABaseUrlMustBePlainHttp()
        {
            Assert.IsNull(GuardianLink.BaseUrlProblem("https://help.example.org"));
            Assert.IsNull(GuardianLink.BaseUrlProblem("http://10.0.0.5:8080/pd"));
            Assert.IsNotNull(GuardianLink.BaseUrlProblem("help.example.org"));
            Assert.IsNotNull(GuardianLink.BaseUrlProblem("https://help.example.org/"));
            Assert.IsNotNull(GuardianLink.BaseUrlProblem("https://help.example.org/?a=1"));
            Assert.IsNotNull(GuardianLink.BaseUrlProblem("https://help example.org"));
            Assert.IsNotNull(GuardianLink.BaseUrlProblem("https://" + new string('a', 60) + ".org"));
        }

        [TestMethod]
        public void GuardiansGetTheLinkAndTheEmergencyNumberDoesNot()
        {
            byte[] key = SampleFrames.Key(0x30);
            AlertSmsComposer en = new AlertSmsComposer("Siti", "en", null, "https://help.example.org", key);
            Frame alert = SampleFrames.Alert("fob-0042", 77);
            string link = GuardianLink.Link("https://help.example.org", key, "fob-0042", 77);
            Assert.AreEqual(en.Compose(alert) + " Follow live: " + link, en.ComposeForGuardian(alert));
            Expect.DoesNotContain("/g/", en.Compose(alert), "112 gets the facts only");
            AlertSmsComposer id = new AlertSmsComposer("Siti", "id", null, "https://help.example.org", key);
            Expect.Contains(" Pantau: " + link, id.ComposeForGuardian(alert));
            Frame cancel = Frame.Create(MessageKind.Cancel, "fob-0042", 78, (byte)AlertCode.DuressCancel);
            Assert.AreEqual(en.Compose(cancel), en.ComposeForGuardian(cancel), "a cancel, a duress one too, reads the same to everyone");
            AlertSmsComposer none = new AlertSmsComposer("Siti", "en", null);
            Assert.AreEqual(none.Compose(alert), none.ComposeForGuardian(alert));
        }
    }
}
