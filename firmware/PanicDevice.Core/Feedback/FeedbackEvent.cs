namespace PanicDevice.Core.Feedback
{
    /// <summary>What the device tells its user, discreetly (LED and vibration patterns are chosen per event).</summary>
    public enum FeedbackEvent
    {
        /// <summary>The alert is stored on the device and being sent.</summary>
        Sending = 1,
        /// <summary>
        /// Received by the system: the command centre stored the alert (signed acknowledgement). No person has seen it
        /// yet; <see cref="OperatorHasIt"/> says that, with a different pattern, so a wearer never reads this as "help knows".
        /// </summary>
        Acknowledged = 2,
        /// <summary>A responder is assigned.</summary>
        ResponderOnTheWay = 3,
        /// <summary>The data path did not answer in time; SMS went to the emergency number, guardians and gateway.</summary>
        SmsFallback = 4,
        /// <summary>Neither path has confirmed delivery; the device keeps trying.</summary>
        Failed = 5,
        /// <summary>The alert was cancelled (also shown for a duress cancel).</summary>
        Cancelled = 6,
        /// <summary>The command centre closed the alert.</summary>
        Resolved = 7,
        /// <summary>An operator has taken the alert: a person at the command centre knows.</summary>
        OperatorHasIt = 8,
    }
}
