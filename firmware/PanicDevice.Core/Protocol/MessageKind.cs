namespace PanicDevice.Core.Protocol
{
    /// <summary>What a frame is. Values are on the wire (docs/protocol.md); never renumber.</summary>
    public enum MessageKind : byte
    {
        /// <summary>Device → receiver: a new alert (code = <see cref="AlertCode"/>).</summary>
        Alert = 0x01,
        /// <summary>Device → receiver: a follow-up location for an active alert (counter = its own; code = the alert's code).</summary>
        Update = 0x02,
        /// <summary>Device → receiver: the user cancelled (code = Cancel or DuressCancel).</summary>
        Cancel = 0x03,
        /// <summary>Device → receiver: periodic supervision message (code = 0).</summary>
        Heartbeat = 0x04,
        /// <summary>Device → receiver: what the device's voice calls about its open alert came to (code = <see cref="CallReport"/>).</summary>
        Call = 0x05,
        /// <summary>Receiver → device: the frame with this counter is stored (code = Received).</summary>
        Ack = 0x81,
        /// <summary>Receiver → device: the alert's handling changed (code = <see cref="AlertStatus"/>).</summary>
        Status = 0x82,
        /// <summary>
        /// Receiver → device: the frame with this counter was NOT stored, because its counter was already used by other
        /// bytes or is older than the receiver remembers (code = <see cref="CounterProblem"/>); continue from
        /// <see cref="Frame.NextCounter"/> and send it again under a new counter.
        /// </summary>
        Resync = 0x83,
    }

    /// <summary>What a device's voice calls came to (the low four bits of a Call frame's code). Values are on the wire; never renumber.</summary>
    public enum CallEvent : byte
    {
        /// <summary>The emergency number answered the device's call, which was kept open with the microphone on.</summary>
        EmergencyConnected = 1,
        /// <summary>Guardian n (the high four bits, 1-based, in device.json's order) answered and pressed the confirming key.</summary>
        GuardianConfirmed = 2,
        /// <summary>Every round of calls ended and no guardian confirmed.</summary>
        NoGuardianConfirmed = 3,
        /// <summary>Every round of calls ended and the emergency number never answered.</summary>
        EmergencyUnanswered = 4,
        /// <summary>The device answered a call back silently: from guardian n (high bits 1–8) or a call-back number (high bits 15).</summary>
        ListenedIn = 5,
    }

    /// <summary>
    /// The code of a Call frame: <see cref="CallEvent"/> in the low four bits, who in the high four (0: the emergency number
    /// or nobody in particular, 1–8: guardian n, 15: one of the call-back numbers). One byte, so the frame keeps its layout.
    /// </summary>
    public static class CallReport
    {
        /// <summary>The high-bits value for a call from one of the call-back numbers (the command centre).</summary>
        public const int CallBackNumber = 15;

        /// <summary>The code for an event about <paramref name="who"/>.</summary>
        public static byte Code(CallEvent e, int who)
        {
            return (byte)(((who & 0x0F) << 4) | ((int)e & 0x0F));
        }

        /// <summary>The event a code names.</summary>
        public static CallEvent EventOf(byte code)
        {
            return (CallEvent)(code & 0x0F);
        }

        /// <summary>Who a code names: 0, a guardian's 1-based place, or <see cref="CallBackNumber"/>.</summary>
        public static int WhoOf(byte code)
        {
            return code >> 4;
        }

        /// <summary>Why a code is not a call report, or null when it is one.</summary>
        public static string Problem(byte code)
        {
            int who = WhoOf(code);
            switch (EventOf(code))
            {
                case CallEvent.EmergencyConnected:
                case CallEvent.NoGuardianConfirmed:
                case CallEvent.EmergencyUnanswered:
                    return who == 0 ? null : "call event " + (code & 0x0F).ToString() + " names no guardian";
                case CallEvent.GuardianConfirmed:
                    return who >= 1 && who <= 8 ? null : "a guardian confirmation names guardian 1-8";
                case CallEvent.ListenedIn:
                    return (who >= 1 && who <= 8) || who == CallBackNumber ? null : "a listen-in names guardian 1-8 or a call-back number (15)";
            }
            return "code " + code.ToString() + " is not a call report";
        }
    }

    /// <summary>Why the receiver refused a frame's counter (the code of a Resync frame). Values are on the wire; never renumber.</summary>
    public enum CounterProblem : byte
    {
        /// <summary>The receiver already stored different bytes under this counter (a counter restarted, or a cloned key).</summary>
        Reused = 1,
        /// <summary>The counter is below the receiver's anti-replay window and no frame is stored under it.</summary>
        TooOld = 2,
    }

    /// <summary>Why a device sent a frame. Values are on the wire; never renumber.</summary>
    public enum AlertCode : byte
    {
        /// <summary>No code (heartbeats).</summary>
        None = 0,
        /// <summary>Personal panic alert (fob).</summary>
        Panic = 1,
        /// <summary>Silent hold-up alarm (wall button).</summary>
        HoldUp = 2,
        /// <summary>Test alert: handled end to end but flagged as an exercise.</summary>
        Test = 3,
        /// <summary>The user cancelled the alert.</summary>
        Cancel = 4,
        /// <summary>Looks like a cancel on the device; the receiver treats it as coercion.</summary>
        DuressCancel = 5,
        /// <summary>The button reported a fault (stuck, chatter).</summary>
        ButtonFault = 6,
    }

    /// <summary>What the receiver reports about an alert. Values are on the wire; never renumber.</summary>
    public enum AlertStatus : byte
    {
        /// <summary>Stored durably by the receiver (the acknowledgement).</summary>
        Received = 1,
        /// <summary>A responder is on the way; location fields carry the responder's position when known.</summary>
        ResponderAssigned = 2,
        /// <summary>The command centre closed the alert.</summary>
        Resolved = 3,
        /// <summary>The cancel was accepted.</summary>
        Cancelled = 4,
        /// <summary>The operator marked it a false alarm.</summary>
        FalseAlarm = 5,
        /// <summary>
        /// An operator has taken the alert (acknowledged it on the console): a person knows, which "Received" (stored) does
        /// not say. Numbered after the others, so statuses are ordered by <see cref="AlertStatusOrder"/>, not by value.
        /// </summary>
        OperatorAcknowledged = 6,
    }

    /// <summary>Where each alert status stands in an alert's life; a device shows a status only when it moves forward.</summary>
    public static class AlertStatusOrder
    {
        /// <summary>1 stored, 2 an operator has it, 3 a responder is on the way, 4 closed; 0 for a value this device does not know.</summary>
        public static int Rank(byte status)
        {
            switch (status)
            {
                case (byte)AlertStatus.Received:
                    return 1;
                case (byte)AlertStatus.OperatorAcknowledged:
                    return 2;
                case (byte)AlertStatus.ResponderAssigned:
                    return 3;
                case (byte)AlertStatus.Resolved:
                case (byte)AlertStatus.Cancelled:
                case (byte)AlertStatus.FalseAlarm:
                    return 4;
                default:
                    return 0;
            }
        }
    }

    /// <summary>Where a frame's position came from. Values are on the wire; never renumber.</summary>
    public enum LocationSource : byte
    {
        /// <summary>No position: latitude and longitude are zero and must be ignored.</summary>
        None = 0,
        /// <summary>Satellite fix.</summary>
        Gnss = 1,
        /// <summary>Cell-tower estimate from the modem.</summary>
        Cell = 2,
        /// <summary>The installed address of a fixed device (wall button).</summary>
        FixedAddress = 3,
    }

    /// <summary>Bit flags in a frame. Values are on the wire; never renumber.</summary>
    public static class FrameFlags
    {
        /// <summary>The device runs on external power.</summary>
        public const byte ExternalPower = 0x01;
        /// <summary>The battery is below the device's low threshold.</summary>
        public const byte LowBattery = 0x02;
        /// <summary>The frame was re-sent from the outbox after a reboot.</summary>
        public const byte Replayed = 0x04;
        /// <summary>The enclosure tamper switch is open.</summary>
        public const byte Tamper = 0x08;
        /// <summary>Every defined bit; a decoder rejects others.</summary>
        public const byte All = 0x0F;
    }
}
