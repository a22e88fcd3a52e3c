namespace PanicDevice.Core.Calls
{
    /// <summary>Where the module's one voice call stands.</summary>
    public enum CallState
    {
        /// <summary>No call.</summary>
        Idle = 0,
        /// <summary>Dialled; the network is setting the call up.</summary>
        Dialling = 1,
        /// <summary>The called phone rings.</summary>
        Ringing = 2,
        /// <summary>Answered: the microphone is open to the far end.</summary>
        Connected = 3,
        /// <summary>Someone calls the device and it has not answered yet.</summary>
        Incoming = 4,
    }

    /// <summary>How the last call ended.</summary>
    public enum CallEnd
    {
        /// <summary>Not ended (or no call yet).</summary>
        None = 0,
        /// <summary>The device hung up.</summary>
        HungUp = 1,
        /// <summary>The far end hung up, or the network dropped the call (NO CARRIER).</summary>
        Dropped = 2,
        /// <summary>The called number was busy, or the network refused the call as busy.</summary>
        Busy = 3,
        /// <summary>The network gave up ringing (NO ANSWER).</summary>
        NoAnswer = 4,
        /// <summary>The call could not be made: refused, no dial tone, no network, the module restarted.</summary>
        Failed = 5,
    }

    /// <summary>
    /// Voice calls on the modem, as the call policy (<see cref="CallCascade"/>) drives them: one call at a time, placed,
    /// answered and ended without blocking; its progress read from <see cref="State"/> and <see cref="LastEnd"/>.
    /// </summary>
    public interface IVoiceCalls
    {
        /// <summary>True when a call can be placed now (registered, a SIM, no call in progress).</summary>
        bool Available { get; }

        /// <summary>The call in progress, or Idle.</summary>
        CallState State { get; }

        /// <summary>Number of the current or last call (placed or answered); each new call gets the next one.</summary>
        int CallId { get; }

        /// <summary>
        /// True once the module took the dial command of the call being placed; false while it waits behind other commands
        /// (an SMS, a data command, the speaker level). The ring time runs from here.
        /// </summary>
        bool Dialled { get; }

        /// <summary>How call <see cref="CallId"/> ended; None while it lasts.</summary>
        CallEnd LastEnd { get; }

        /// <summary>The number of the call ringing in (from +CLIP), "" when withheld, null when none rings.</summary>
        string IncomingNumber { get; }

        /// <summary>False when the module refused DTMF detection: no key will ever be heard, so no call can be confirmed.</summary>
        bool HearsKeys { get; }

        /// <summary>Places a call; <paramref name="speaker"/> false keeps the device's speaker silent. Returns the call's id, 0 when refused.</summary>
        int Dial(string number, bool speaker, long nowMs);

        /// <summary>Answers the call ringing in; <paramref name="speaker"/> false listens in silently.</summary>
        void Answer(bool speaker, long nowMs);

        /// <summary>Ends the call in progress, or refuses the one ringing in.</summary>
        void HangUp(long nowMs);

        /// <summary>Silences (or restores) the speaker during a call.</summary>
        void SetSpeaker(bool on, long nowMs);

        /// <summary>The DTMF keys the far end pressed during the current call since the last call to this, in order ("" for none).</summary>
        string TakeKeys();
    }
}
