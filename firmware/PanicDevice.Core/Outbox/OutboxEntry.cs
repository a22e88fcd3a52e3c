namespace PanicDevice.Core.Outbox
{
    /// <summary>One persisted frame waiting for the receiver's acknowledgement.</summary>
    public class OutboxEntry
    {
        /// <summary>The human SMS (112 and guardians) for this alert has been sent.</summary>
        public const byte HumanSmsSent = 0x01;
        /// <summary>The frame has been sent to the command centre's SMS gateway.</summary>
        public const byte GatewaySmsSent = 0x02;

        /// <summary>Order of appending; survives reboots (the oldest entry is delivered first).</summary>
        public uint Sequence;
        /// <summary>The storage slot holding this entry.</summary>
        public int Slot;
        /// <summary>Bits recording which fallbacks were already done, so a reboot does not repeat them.</summary>
        public byte Flags;
        /// <summary>The signed frame bytes, exactly as they go on the wire.</summary>
        public byte[] Frame;

        /// <summary>True when every bit of <paramref name="flag"/> is set.</summary>
        public bool Has(byte flag)
        {
            return (Flags & flag) == flag;
        }
    }
}
