using System.Text;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Sms
{
    /// <summary>
    /// The human SMS to the emergency number and guardians: who, what, where, in that order, so a phone
    /// that truncates still shows the facts that matter. English or Indonesian. Coordinates are printed
    /// from the frame's integer 1e-7 degrees with exact decimal rounding (double printing differs between
    /// the device and the host). A duress cancel reads exactly like a cancel: the text may be read by the
    /// person who forced it; the command centre learns the truth from the signed frame.
    /// </summary>
    public class AlertSmsComposer : IAlertSmsText
    {
        private readonly string ownerName;
        private readonly bool indonesian;
        private readonly string mapLinkPrefix;
        private readonly string guardianLinkBase;
        private readonly byte[] key;

        /// <summary>Default map link: short, and opens in any phone's browser or maps app.</summary>
        public const string DefaultMapLinkPrefix = "https://maps.google.com/?q=";

        /// <summary>
        /// Most UTF-16 units of the owner name printed. A longer name is cut there and ends in "...": with the
        /// longest facts after it the alert stays within <see cref="SmsPduEncoder.MaxParts"/>, where an unbounded
        /// name would make the modem refuse the whole SMS.
        /// </summary>
        public const int MaxNameLength = 100;

        /// <summary>Creates a composer; <paramref name="language"/> "id" is Indonesian, anything else English.</summary>
        public AlertSmsComposer(string ownerName, string language, string mapLinkPrefix)
            : this(ownerName, language, mapLinkPrefix, "", null)
        {
        }

        /// <summary>
        /// A composer whose guardian texts link to the receiver's live page at <paramref name="guardianLinkBase"/> ("" for none),
        /// signed with the device key (<see cref="GuardianLink"/>).
        /// </summary>
        public AlertSmsComposer(string ownerName, string language, string mapLinkPrefix, string guardianLinkBase, byte[] key)
        {
            this.guardianLinkBase = guardianLinkBase == null || key == null ? "" : guardianLinkBase;
            this.key = key;
            this.ownerName = ownerName == null ? "" : Bounded(ownerName);
            indonesian = language == "id";
            this.mapLinkPrefix = mapLinkPrefix == null || mapLinkPrefix.Length == 0 ? DefaultMapLinkPrefix : mapLinkPrefix;
        }

        /// <summary>The text for this frame.</summary>
        public string Compose(Frame frame)
        {
            StringBuilder sb = new StringBuilder();
            sb.Append(What(frame));
            sb.Append(indonesian ? " dari " : " from ");
            sb.Append(ownerName.Length > 0 ? ownerName : frame.DeviceId);
            sb.Append(". ");
            if (frame.Source == LocationSource.None)
            {
                sb.Append(indonesian ? "Lokasi tidak diketahui." : "Position unknown.");
            }
            else
            {
                string lat = DegreesE7(frame.LatitudeE7);
                string lon = DegreesE7(frame.LongitudeE7);
                sb.Append(indonesian ? "Lokasi " : "At ");
                sb.Append(lat).Append(',').Append(lon);
                if (frame.AccuracyM != Frame.Unknown16)
                {
                    sb.Append(" +/-").Append(frame.AccuracyM.ToString()).Append("m");
                }
                if (frame.Source == LocationSource.FixedAddress)
                {
                    sb.Append(indonesian ? " (alamat terpasang)" : " (installed address)");
                }
                else if (frame.FixAgeS != Frame.Unknown16 && frame.FixAgeS >= 60)
                {
                    sb.Append(indonesian ? ", " : ", ").Append(Age(frame.FixAgeS)).Append(indonesian ? " lalu" : " ago");
                }
                sb.Append(". ").Append(mapLinkPrefix).Append(lat).Append(',').Append(lon);
            }
            return sb.ToString();
        }

        /// <summary>
        /// The guardians' text: the emergency text, then the live page for this press (alerts only: a cancel's link would
        /// show a guardian a closed page, and after a duress cancel the texts must read like a cancel).
        /// </summary>
        public string ComposeForGuardian(Frame frame)
        {
            string text = Compose(frame);
            if (guardianLinkBase.Length == 0 || frame.Kind != MessageKind.Alert)
            {
                return text;
            }
            return text + (indonesian ? " Pantau: " : " Follow live: ") + GuardianLink.Link(guardianLinkBase, key, frame.DeviceId, frame.Counter);
        }

        private static string Bounded(string name)
        {
            if (name.Length <= MaxNameLength)
            {
                return name;
            }
            // ToCharArray, not the indexer: nanoFramework's indexer returns the high surrogate at a low one's index.
            char[] units = name.ToCharArray();
            int cut = MaxNameLength;
            if (units[cut - 1] >= '\uD800' && units[cut - 1] <= '\uDBFF')
            {
                // Never half an emoji: a lone surrogate would be sent as U+FFFD.
                cut--;
            }
            return new string(units, 0, cut) + "...";
        }

        private string What(Frame frame)
        {
            if (frame.Kind == MessageKind.Cancel)
            {
                return indonesian ? "BATAL: tanda bahaya dibatalkan" : "CANCELLED: alarm cancelled";
            }
            switch ((AlertCode)frame.Code)
            {
                case AlertCode.HoldUp:
                    return indonesian ? "DARURAT: alarm perampokan" : "EMERGENCY: hold-up alarm";
                case AlertCode.Test:
                    return indonesian ? "UJI COBA: tes tombol darurat" : "TEST: panic button test";
                default:
                    return indonesian ? "DARURAT: tombol panik ditekan" : "EMERGENCY: panic button pressed";
            }
        }

        private string Age(int seconds)
        {
            if (seconds < 3600)
            {
                return (seconds / 60).ToString() + (indonesian ? " mnt" : " min");
            }
            return (seconds / 3600).ToString() + (indonesian ? " jam" : " h");
        }

        /// <summary>1e-7 degrees as decimal degrees with 6 places, rounded half away from zero; "-0.000000" never appears.</summary>
        public static string DegreesE7(int valueE7)
        {
            long v = valueE7;
            bool negative = v < 0;
            if (negative)
            {
                v = -v;
            }
            long micro = (v + 5) / 10;
            if (micro == 0)
            {
                negative = false;
            }
            long whole = micro / 1000000;
            long fraction = micro % 1000000;
            string f = fraction.ToString();
            while (f.Length < 6)
            {
                f = "0" + f;
            }
            return (negative ? "-" : "") + whole.ToString() + "." + f;
        }
    }
}
