namespace PanicDevice.Core.Delivery
{
    /// <summary>Timings and numbers of the delivery engine; defaults in one place.</summary>
    public class DeliveryOptions
    {
        /// <summary>The device id (MQTT client id, topic level, frame field).</summary>
        public string DeviceId;
        /// <summary>The device's 256-bit HMAC key. Never logged.</summary>
        public byte[] Key;
        /// <summary>No signed acknowledgement this long after the press → SMS fallback.</summary>
        public int SmsDeadlineMs = 20000;
        /// <summary>First data-path retry after this long; doubles per attempt.</summary>
        public int RetryInitialMs = 2000;
        /// <summary>Data-path retries never wait longer than this.</summary>
        public int RetryMaxMs = 60000;
        /// <summary>Follow-up locations while an alert is active.</summary>
        public int FollowUpIntervalMs = 60000;
        /// <summary>A failed SMS is queued again after this long.</summary>
        public int SmsRetryMs = 30000;
        /// <summary>SMS attempts per recipient before the user is told "failed" (data retries go on).</summary>
        public int SmsMaxAttempts = 3;
        /// <summary>The emergency number that receives the human SMS; empty disables it (not every 112 accepts SMS).</summary>
        public string EmergencyNumber = "112";
        /// <summary>Guardians who receive the human SMS.</summary>
        public string[] GuardianNumbers = new string[0];
        /// <summary>The command centre's SMS gateway, which receives the signed frame as text; empty disables it.</summary>
        public string GatewayNumber = "";

        /// <summary>The first problem with these options, or null.</summary>
        public string Validate()
        {
            if (DeviceId == null || DeviceId.Length == 0)
            {
                return "device id is missing";
            }
            if (Key == null || Key.Length != 32)
            {
                return "device key must be 32 bytes";
            }
            if (SmsDeadlineMs < 1000 || RetryInitialMs < 100 || RetryMaxMs < RetryInitialMs || FollowUpIntervalMs < 1000 || SmsRetryMs < 1000 || SmsMaxAttempts < 1)
            {
                return "delivery timings are out of range";
            }
            if (GuardianNumbers == null)
            {
                return "guardian list is missing";
            }
            return null;
        }
    }
}
