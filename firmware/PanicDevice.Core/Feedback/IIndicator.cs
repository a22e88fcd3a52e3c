namespace PanicDevice.Core.Feedback
{
    /// <summary>The LED and the vibration motor (GPIO on the device, a recorder in tests).</summary>
    public interface IIndicator
    {
        /// <summary>Switches both outputs; called only when one of them changes.</summary>
        void Set(bool ledOn, bool vibrationOn);
    }
}
