using System;
using System.Text;
using PanicDevice.Core.Config;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Sms
{
    [TestClass]
    public class AlertSmsComposerTests
    {
        private const string Number = "+6281234567890";
        private const string Link = "https://maps.google.com/?q=";
        private const string Jakarta = "-6.175392,106.827153";

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
        [DataRow(-431728965, "-43.172897")]
        [DataRow(-2147483648, "-214.748365")]
        [DataRow(2147483647, "214.748365")]
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
        [TestMethod]
        [DataRow("Siti Nur'aini", 0x00)]
        [DataRow("Ñoño Müller", 0x00)]
        [DataRow("Toko {Maju} [24/7] €", 0x00)]
        [DataRow("Nguyễn Thị Hương", 0x08)]
        [DataRow("Nguye\u0302\u0303n Thi\u0323 Hu\u031Bo\u031B\u0300ng", 0x08)]
        [DataRow("王秀英", 0x08)]
        [DataRow("Siti 😀", 0x08)]
        [DataRow("Dr. Siti 👩🏽‍⚕️", 0x08)]
        public void NamesAreSentExactlyAsConfigured(string name, int dcs)
        {
            // Indonesian, GSM-7 accented letters, GSM-7 extension characters, Vietnamese precomposed and with
            // combining marks (never normalised), CJK, emoji as surrogate pairs and a ZWJ sequence: every part
            // decodes on its own, the first part says what happened and who, and the code units on the air are
            // the configured ones.
            string[] languages = new string[] { "en", "id" };
            string[] expected = new string[]
            {
                "EMERGENCY: panic button pressed from " + name + ". At " + Jakarta + " +/-8m. " + Link + Jakarta,
                "DARURAT: tombol panik ditekan dari " + name + ". Lokasi " + Jakarta + " +/-8m. " + Link + Jakarta,
            };
            for (int l = 0; l < languages.Length; l++)
            {
                string text = new AlertSmsComposer(name, languages[l], null).Compose(Panic());
                Assert.AreEqual(expected[l], text, languages[l]);
                SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, 40 + l);
                SmsSubmit[] decoded = SentPdu.DecodeAll(parts);
                Assert.AreEqual(text, SmsPduDecoder.Join(decoded), languages[l] + ": the joined parts");
                Expect.StartsWith(languages[l] == "en" ? "EMERGENCY: panic button pressed from " : "DARURAT: tombol panik ditekan dari ", decoded[0].Text, "part one alone");
                for (int i = 0; i < decoded.Length; i++)
                {
                    Assert.AreEqual(dcs, decoded[i].Dcs, languages[l] + " part " + (i + 1).ToString());
                }
                if (dcs == 0x08)
                {
                    Expect.Contains(SentPdu.Ucs2Hex(name), SentPdu.Ucs2TextHex(parts), languages[l] + ": the name's code units on the air");
                }
            }
        }

        [TestMethod]
        public void ANameFromDeviceJsonReachesTheSmsUnitForUnit()
        {
            // device.json is UTF-8 read into a string, parsed by JsonReader: the name must survive both, literal
            // or \u-escaped, on the runtime that sends the SMS.
            string[] inJson = new string[]
            {
                "Nguyễn Thị Hương", "Nguye\u0302\u0303n", "王秀英", "Siti 😀", "Dr. Siti 👩🏽‍⚕️", "Budi \\uD83D\\uDE00 \\u00e9",
            };
            string[] names = new string[]
            {
                "Nguyễn Thị Hương", "Nguye\u0302\u0303n", "王秀英", "Siti 😀", "Dr. Siti 👩🏽‍⚕️", "Budi 😀 é",
            };
            for (int n = 0; n < names.Length; n++)
            {
                string json = "{\"deviceId\":\"fob-0001\",\"key\":\"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\","
                    + "\"broker\":{\"host\":\"10.0.0.1\"},\"owner\":{\"name\":\"" + inJson[n] + "\",\"phone\":\"\"}}";
                // The bytes of the file, as the device reads them.
                byte[] file = Encoding.UTF8.GetBytes(json);
                DeviceConfigResult r = DeviceConfigReader.Read(Encoding.UTF8.GetString(file, 0, file.Length));
                Assert.IsNull(r.Error, "name " + n.ToString() + ": " + r.Error);
                Assert.AreEqual(SentPdu.Ucs2Hex(names[n]), SentPdu.Ucs2Hex(r.Config.OwnerName), "name " + n.ToString() + " as read from device.json");

                string text = new AlertSmsComposer(r.Config.OwnerName, r.Config.Language, null).Compose(Panic(LocationSource.None));
                SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, n);
                Assert.AreEqual(SentPdu.Ucs2Hex("EMERGENCY: panic button pressed from " + names[n] + ". Position unknown."), SentPdu.Ucs2TextHex(parts),
                    "name " + n.ToString() + ": the code units on the air");
            }
        }

        [TestMethod]
        public void SouthernWesternAndZeroCoordinatesKeepTheirSigns()
        {
            AlertSmsComposer composer = new AlertSmsComposer("Ana", "en", null);
            Frame rio = Panic();
            rio.LatitudeE7 = -229068467;
            rio.LongitudeE7 = -431728965;
            Assert.AreEqual("EMERGENCY: panic button pressed from Ana. At -22.906847,-43.172897 +/-8m. " + Link + "-22.906847,-43.172897", composer.Compose(rio));

            Frame reykjavik = Panic();
            reykjavik.LatitudeE7 = 641466000;
            reykjavik.LongitudeE7 = -219426000;
            Assert.AreEqual("EMERGENCY: panic button pressed from Ana. At 64.146600,-21.942600 +/-8m. " + Link + "64.146600,-21.942600", composer.Compose(reykjavik));

            // A real position of 0,0 is printed as one, not as "unknown" and not as "-0.000000".
            Frame zero = Panic();
            zero.LatitudeE7 = 0;
            zero.LongitudeE7 = -4;
            Assert.AreEqual("EMERGENCY: panic button pressed from Ana. At 0.000000,0.000000 +/-8m. " + Link + "0.000000,0.000000", composer.Compose(zero));
        }

        [TestMethod]
        public void UnknownAccuracyAndAgeAreLeftOutNotPrintedAs65535()
        {
            Frame f = Panic();
            f.AccuracyM = Frame.Unknown16;
            f.FixAgeS = Frame.Unknown16;
            Assert.AreEqual("EMERGENCY: panic button pressed from Siti. At " + Jakarta + ". " + Link + Jakarta, new AlertSmsComposer("Siti", "en", null).Compose(f));
            Assert.AreEqual("DARURAT: tombol panik ditekan dari Siti. Lokasi " + Jakarta + ". " + Link + Jakarta, new AlertSmsComposer("Siti", "id", null).Compose(f));

            // The largest known values still print as numbers a reader can use.
            f.AccuracyM = 65534;
            f.FixAgeS = 65534;
            Assert.AreEqual("EMERGENCY: panic button pressed from Siti. At " + Jakarta + " +/-65534m, 18 h ago. " + Link + Jakarta, new AlertSmsComposer("Siti", "en", null).Compose(f));
        }

        [TestMethod]
        public void AnyOwnerNameStillGivesAnAlertTheModemCanSend()
        {
            // The modem refuses a text over SmsPduEncoder.MaxParts outright, and then no SMS goes to 112 at all: an
            // overlong configured name is cut (visibly, with "...") so that the alert always goes out whole.
            string[] names = new string[]
            {
                new string('a', 1000), new string('€', 1000), new string('ễ', 1000), "x" + Repeat("😀", 500),
                new string('ễ', AlertSmsComposer.MaxNameLength), new string('ễ', AlertSmsComposer.MaxNameLength + 1),
            };
            string[] printed = new string[]
            {
                new string('a', AlertSmsComposer.MaxNameLength) + "...", new string('€', AlertSmsComposer.MaxNameLength) + "...",
                new string('ễ', AlertSmsComposer.MaxNameLength) + "...", "x" + Repeat("😀", (AlertSmsComposer.MaxNameLength - 1) / 2) + "...",
                new string('ễ', AlertSmsComposer.MaxNameLength), new string('ễ', AlertSmsComposer.MaxNameLength) + "...",
            };

            // The longest alert there is: every field at its widest.
            Frame holdUp = Frame.Create(MessageKind.Alert, "fob-0001", 5, (byte)AlertCode.HoldUp);
            holdUp.Source = LocationSource.FixedAddress;
            holdUp.LatitudeE7 = -2147483648;
            holdUp.LongitudeE7 = -2147483648;
            holdUp.AccuracyM = 65534;
            Frame oldFix = Panic(LocationSource.Gnss, 65534);
            oldFix.LatitudeE7 = -2147483648;
            oldFix.LongitudeE7 = -2147483648;
            oldFix.AccuracyM = 65534;
            const string where = "-214.748365,-214.748365";

            for (int n = 0; n < names.Length; n++)
            {
                Assert.AreEqual(SentPdu.Ucs2Hex("EMERGENCY: hold-up alarm from " + printed[n] + ". At " + where + " +/-65534m (installed address). " + Link + where),
                    SentPdu.Ucs2Hex(new AlertSmsComposer(names[n], "en", null).Compose(holdUp)), "name " + n.ToString());
                Assert.AreEqual(SentPdu.Ucs2Hex("DARURAT: tombol panik ditekan dari " + printed[n] + ". Lokasi " + where + " +/-65534m, 18 jam lalu. " + Link + where),
                    SentPdu.Ucs2Hex(new AlertSmsComposer(names[n], "id", null).Compose(oldFix)), "name " + n.ToString());

                string[] languages = new string[] { "en", "id" };
                for (int l = 0; l < languages.Length; l++)
                {
                    AlertSmsComposer composer = new AlertSmsComposer(names[n], languages[l], null);
                    Frame[] frames = new Frame[] { holdUp, oldFix };
                    for (int f = 0; f < frames.Length; f++)
                    {
                        string text = composer.Compose(frames[f]);
                        SmsPdu[] parts = SmsPduEncoder.Encode(Number, text, n);
                        Assert.IsTrue(parts.Length <= SmsPduEncoder.MaxParts, "name " + n.ToString() + ": " + parts.Length.ToString() + " parts");
                        Assert.AreEqual(text, SmsPduDecoder.Join(SentPdu.DecodeAll(parts)), "name " + n.ToString() + " " + languages[l]);
                    }
                }
            }
        }

        private static string Repeat(string s, int count)
        {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < count; i++)
            {
                sb.Append(s);
            }
            return sb.ToString();
        }
    }
}
