namespace PanicDevice.Core.Protocol
{
    /// <summary>
    /// One message on the wire, device → receiver or receiver → device. Every message kind has the
    /// same fields so that there is one encoder, one decoder and one signing rule
    /// (docs/protocol.md is the byte-level reference).
    /// </summary>
    public class Frame
    {
        /// <summary>Sentinel for an unknown accuracy or fix age.</summary>
        public const ushort Unknown16 = 0xFFFF;
        /// <summary>Sentinel for an unknown battery level.</summary>
        public const byte UnknownBattery = 0xFF;

        /// <summary>What the frame is.</summary>
        public MessageKind Kind;
        /// <summary>Device identity: 1–32 characters from [A-Za-z0-9._-] (the rule: <see cref="DeviceIds"/>).</summary>
        public string DeviceId;
        /// <summary>Device frames: the device's never-repeating counter. Receiver frames: the counter of the frame they answer.</summary>
        public uint Counter;
        /// <summary><see cref="AlertCode"/> for device frames, <see cref="AlertStatus"/> for receiver frames.</summary>
        public byte Code;
        /// <summary>UTC seconds since 1970 when the frame was built; 0 when the sender's clock is not set.</summary>
        public uint TimeUtcSeconds;
        /// <summary>Latitude in 1e-7 degrees (−900000000 … 900000000).</summary>
        public int LatitudeE7;
        /// <summary>Longitude in 1e-7 degrees (−1800000000 … 1800000000).</summary>
        public int LongitudeE7;
        /// <summary>Horizontal accuracy radius in metres; <see cref="Unknown16"/> when unknown.</summary>
        public ushort AccuracyM;
        /// <summary>Age of the position in seconds when the frame was built, saturating; <see cref="Unknown16"/> when unknown.</summary>
        public ushort FixAgeS;
        /// <summary>Where the position came from; None means the position fields carry nothing.</summary>
        public LocationSource Source;
        /// <summary>Battery 0–100 %, <see cref="UnknownBattery"/> when unknown or mains.</summary>
        public byte BatteryPercent;
        /// <summary>Received signal strength in dBm (−128 … −1); 0 when unknown.</summary>
        public sbyte SignalDbm;
        /// <summary>Bits from <see cref="FrameFlags"/>.</summary>
        public byte Flags;
        /// <summary>
        /// Resync frames only (0 otherwise): the counter the device continues from. On the wire it takes the
        /// latitude field, which a Resync does not use (<see cref="LatitudeE7"/> is then 0).
        /// </summary>
        public uint NextCounter;
        /// <summary>
        /// Resync frames only (0 otherwise): the first 4 bytes of the refused frame's tag, big-endian, so the device
        /// knows the answer is about the bytes it sent and not only its counter. On the wire it takes the longitude field.
        /// </summary>
        public uint AnsweredTag;

        /// <summary>True for frames the receiver sends to a device.</summary>
        public bool IsFromReceiver
        {
            get { return Kind == MessageKind.Ack || Kind == MessageKind.Status || Kind == MessageKind.Resync; }
        }

        /// <summary>A frame with every optional field set to "unknown".</summary>
        public static Frame Create(MessageKind kind, string deviceId, uint counter, byte code)
        {
            Frame f = new Frame();
            f.Kind = kind;
            f.DeviceId = deviceId;
            f.Counter = counter;
            f.Code = code;
            f.AccuracyM = Unknown16;
            f.FixAgeS = Unknown16;
            f.Source = LocationSource.None;
            f.BatteryPercent = UnknownBattery;
            return f;
        }

        /// <summary>The acknowledgement a receiver sends for a stored device frame.</summary>
        public static Frame AckFor(Frame stored, uint receiverTimeUtcSeconds)
        {
            Frame ack = Create(MessageKind.Ack, stored.DeviceId, stored.Counter, (byte)AlertStatus.Received);
            ack.TimeUtcSeconds = receiverTimeUtcSeconds;
            return ack;
        }

        /// <summary>
        /// The receiver's answer to a verified frame whose counter it refused: <paramref name="refusedBytes"/> are the
        /// frame's bytes as they arrived (their tag names them), <paramref name="nextCounter"/> the counter to continue from.
        /// </summary>
        public static Frame ResyncFor(Frame refused, byte[] refusedBytes, CounterProblem problem, uint nextCounter, uint receiverTimeUtcSeconds)
        {
            Frame resync = Create(MessageKind.Resync, refused.DeviceId, refused.Counter, (byte)problem);
            resync.TimeUtcSeconds = receiverTimeUtcSeconds;
            resync.NextCounter = nextCounter;
            resync.AnsweredTag = FrameCodec.TagPrefix(refusedBytes);
            return resync;
        }
    }
}
