using System;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Sms
{
    [TestClass]
    public class AlertSmsComposerTests
    {
        private static Frame Panic(LocationSource source = LocationSource.Gnss, ushort ageS = 3)
        {
            Frame f = Frame.Create(MessageKind.Alert, "fob-0001", 5, (byte)AlertCode.Panic);
            f.Source = source;
            if (source != LocationSource.None)
            {
                f.LatitudeE7 = -61753924;
                f.LongitudeE7 = 1068271528;
                f.AccuracyM = 8;
                f.FixAgeS = ageS;
            }
            return f;
        }

        [TestMethod]
        public void EnglishPanicWithPositionAndMapLink()
        {
            string text = new AlertSmsComposer("Siti Rahma", "en", null).Compose(Panic());
            Assert.AreEqual("EMERGENCY: panic button pressed from Siti Rahma. At -6.175392,106.827153 +/-8m. https://maps.google.com/?q=-6.175392,106.827153", text);
            Assert.IsTrue(text.Length <= 160, "one SMS: " + text.Length.ToString() + " characters");
        }

        [TestMethod]
        public void IndonesianWithAnOldFixSaysHowOld()
        {
            string text = new AlertSmsComposer("Siti Rahma", "id", null).Compose(Panic(ageS: 240));
            Assert.AreEqual("DARURAT: tombol panik ditekan dari Siti Rahma. Lokasi -6.175392,106.827153 +/-8m, 4 mnt lalu. https://maps.google.com/?q=-6.175392,106.827153", text);
        }

        [TestMethod]
        public void NoFixStillSaysWhoAndWhat()
        {
            Assert.AreEqual("EMERGENCY: panic button pressed from Siti. Position unknown.", new AlertSmsComposer("Siti", "en", null).Compose(Panic(LocationSource.None)));
            Assert.AreEqual("DARURAT: tombol panik ditekan dari fob-0001. Lokasi tidak diketahui.", new AlertSmsComposer("", "id", null).Compose(Panic(LocationSource.None)));
        }

        [TestMethod]
        public void HoldUpFromAnInstalledAddress()
        {
            Frame f = Panic(LocationSource.FixedAddress, 0);
            f.Code = (byte)AlertCode.HoldUp;
            Assert.AreEqual("EMERGENCY: hold-up alarm from Toko Maju. At -6.175392,106.827153 +/-8m (installed address). https://maps.google.com/?q=-6.175392,106.827153",
                new AlertSmsComposer("Toko Maju", "en", null).Compose(f));
        }

        [TestMethod]
        public void DuressCancelReadsExactlyLikeACancel()
        {
            AlertSmsComposer composer = new AlertSmsComposer("Siti", "en", null);
            Frame cancel = Panic();
            cancel.Kind = MessageKind.Cancel;
            cancel.Code = (byte)AlertCode.Cancel;
            Frame duress = Panic();
            duress.Kind = MessageKind.Cancel;
            duress.Code = (byte)AlertCode.DuressCancel;
            Assert.AreEqual(composer.Compose(cancel), composer.Compose(duress));
            Expect.StartsWith("CANCELLED", composer.Compose(duress));
        }

        [TestMethod]
        [DataRow(0, "0.000000")]
        [DataRow(-4, "0.000000")]
        [DataRow(-5, "-0.000001")]
        [DataRow(5, "0.000001")]
        [DataRow(-61753924, "-6.175392")]
        [DataRow(-61753925, "-6.175393")]
        [DataRow(900000000, "90.000000")]
        [DataRow(-1800000000, "-180.000000")]
        [DataRow(1068271528, "106.827153")]
        public void DegreesRoundHalfAwayFromZeroWithSixDecimals(int e7, string expected)
        {
            Assert.AreEqual(expected, AlertSmsComposer.DegreesE7(e7), "DegreesE7(" + e7.ToString() + ")");
        }

        [TestMethod]
        public void TypicalTextsUseOnlyGsmBasicCharacters()
        {
            const string gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
            string[] languages = new string[] { "en", "id" };
            for (int l = 0; l < languages.Length; l++)
            {
                string text = new AlertSmsComposer("Siti Rahma", languages[l], null).Compose(Panic(ageS: 7200));
                for (int i = 0; i < text.Length; i++)
                {
                    Assert.IsTrue(gsmBasic.IndexOf(text[i]) >= 0, languages[l] + ": character " + i.ToString() + " of " + text);
                }
            }
        }
    }
}
