namespace PanicDevice.Core.Feedback
{
    /// <summary>Receives feedback events (the firmware maps them to LED / vibration patterns).</summary>
    public interface IFeedbackListener
    {
        /// <summary>Called from the engine's Poll or entry points.</summary>
        void OnFeedback(FeedbackEvent feedback, long atMs);
    }
}
