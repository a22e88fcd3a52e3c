namespace PanicDevice.Core.Sms
{
    /// <summary>Outcome of one queued SMS.</summary>
    public enum SmsSendState
    {
        /// <summary>Unknown id.</summary>
        Unknown = 0,
        /// <summary>Queued or being sent.</summary>
        Pending = 1,
        /// <summary>The network accepted every part (+CMGS reference received).</summary>
        Sent = 2,
        /// <summary>The modem reported an error or timed out; the caller may queue it again.</summary>
        Failed = 3,
    }

    /// <summary>Sends SMS through the modem without blocking; progress shows through Poll.</summary>
    public interface ISmsSender
    {
        /// <summary>
        /// Queues a message to one number. Long or non-GSM-7 text is split into a concatenated SMS by the
        /// sender. Returns an id (> 0) for <see cref="StateOf"/>.
        /// </summary>
        int Send(string number, string text, long nowMs);

        /// <summary>State of a message queued with <see cref="Send"/>.</summary>
        SmsSendState StateOf(int id);

        /// <summary>Advances the modem conversation.</summary>
        void Poll(long nowMs);
    }
}
