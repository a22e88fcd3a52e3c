using PanicDevice.Core.Outbox;

namespace PanicDevice.Core.Delivery
{
    /// <summary>In-memory delivery state of one outbox entry (rebuilt from the outbox after a reboot).</summary>
    internal class PendingDelivery
    {
        public OutboxEntry Entry;
        public uint Counter;
        public byte Kind;
        public byte Code;
        public int Attempts;
        public long NextPublishMs;
        /// <summary>When the SMS fallback is due; -1 when this entry has none.</summary>
        public long SmsDueMs = -1;
        /// <summary>Ids of queued SMS (human and gateway), null when none are in flight.</summary>
        public int[] SmsIds;
        public string[] SmsNumbers;
        public string[] SmsTexts;
        public bool[] SmsIsGateway;
        public int SmsAttempts;
        public long SmsRetryAtMs = -1;
    }
}
