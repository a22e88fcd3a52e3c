using PanicDevice.Core.Button;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Location;

namespace PanicDevice.Core.Config
{
    /// <summary>What kind of device a configuration is for.</summary>
    public enum DeviceKind
    {
        /// <summary>Wearable fob: battery, silent, deep sleep between events.</summary>
        Fob = 1,
        /// <summary>Wall button: fixed address, mains power, silent hold-up alarm.</summary>
        Wall = 2,
    }

    /// <summary>
    /// The device's configuration (device.json on the internal flash drive), as read by
    /// <see cref="DeviceConfigReader"/>. Defaults live here and only here.
    /// </summary>
    public class DeviceConfig
    {
        /// <summary>Device id: frame field, MQTT client id and username, topic level.</summary>
        public string DeviceId;
        /// <summary>The 256-bit HMAC key. Never logged or shown.</summary>
        public byte[] Key;
        /// <summary>Fob or wall button; selects the default button patterns.</summary>
        public DeviceKind Kind = DeviceKind.Fob;
        /// <summary>Owner name as the SMS to 112 and guardians names them.</summary>
        public string OwnerName = "";
        /// <summary>Owner phone number (receiver side: who to call back).</summary>
        public string OwnerPhone = "";
        /// <summary>Language of the human SMS: "id" or "en".</summary>
        public string Language = "en";
        /// <summary>Emergency number for the human SMS; empty disables it.</summary>
        public string EmergencyNumber = "112";
        /// <summary>A unit in service.</summary>
        public const string LiveProfile = "live";
        /// <summary>A bench unit: its emergency SMS goes to the tester's own phone, never to an emergency service.</summary>
        public const string TestProfile = "test";
        /// <summary><see cref="LiveProfile"/> or <see cref="TestProfile"/>.</summary>
        public string Profile = LiveProfile;
        /// <summary>Guardians who get the human SMS.</summary>
        public string[] GuardianNumbers = new string[0];
        /// <summary>Command centre's SMS gateway for the signed frame; empty disables it.</summary>
        public string GatewayNumber = "";
        /// <summary>MQTT broker host name or address.</summary>
        public string BrokerHost = "";
        /// <summary>MQTT broker port.</summary>
        public int BrokerPort = 1883;
        /// <summary>Cellular access point name.</summary>
        public string Apn = "internet";
        /// <summary>APN user (often empty).</summary>
        public string ApnUser = "";
        /// <summary>APN password (often empty). Never logged.</summary>
        public string ApnPassword = "";
        /// <summary>Wi-Fi network for wall units that have it; empty = cellular only.</summary>
        public string WifiSsid = "";
        /// <summary>Wi-Fi password. Never logged.</summary>
        public string WifiPassword = "";
        /// <summary>Installed position of a wall unit; null for a fob.</summary>
        public LocationFix FixedLocation;
        /// <summary>Seconds from the press to the SMS fallback when no acknowledgement came.</summary>
        public int SmsDeadlineS = 20;
        /// <summary>Seconds between follow-up locations of an active alert.</summary>
        public int FollowUpIntervalS = 60;
        /// <summary>Seconds between heartbeats (supervision).</summary>
        public int HeartbeatIntervalS = 3600;
        /// <summary>Button patterns from device.json; null means the defaults for <see cref="Kind"/>.</summary>
        public ButtonProfile Buttons;
        /// <summary>Silent: delivery feedback by vibration only, never the LED (fob default). Faults without a configuration still blink.</summary>
        public bool SilentFeedback = true;
        /// <summary>The receiver's public address for guardians' live pages (its --public-url); "" sends no link.</summary>
        public string GuardianLinkUrl = "";
        /// <summary>Voice calls to the emergency number and guardians, and listen-in (device.json "calls").</summary>
        public CallOptions Calls = new CallOptions();
        /// <summary>
        /// The frame counter starts at least here; 0 = no floor. tools/flash writes the seconds since 2025-01-01 at
        /// flashing, so a flash that erased the counter never restarts it under the same key (docs/protocol.md, Counter).
        /// </summary>
        public uint CounterFloor;
    }
}
