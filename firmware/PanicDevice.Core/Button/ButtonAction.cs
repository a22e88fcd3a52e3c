namespace PanicDevice.Core.Button
{
    /// <summary>
    /// What a recognised button pattern means. There is deliberately no reset or configuration action:
    /// a pattern pressed in panic, in a bag or by an attacker must never be able to disarm the device.
    /// </summary>
    public enum ButtonAction
    {
        /// <summary>No action (never configured on a pattern).</summary>
        None = 0,
        /// <summary>Personal panic alert.</summary>
        Alert = 1,
        /// <summary>Silent hold-up alarm (wall button).</summary>
        HoldUp = 2,
        /// <summary>Test alert (an exercise, end to end).</summary>
        Test = 3,
        /// <summary>Cancel the active alert.</summary>
        Cancel = 4,
        /// <summary>Looks like a cancel to anyone watching; the command centre sees coercion.</summary>
        DuressCancel = 5,
        /// <summary>The button misbehaves (stuck, chatter); reported, never an alert.</summary>
        Fault = 6,
    }

    /// <summary>Receives recognised actions (interfaces rather than delegates: nanoFramework's own style).</summary>
    public interface IButtonActionListener
    {
        /// <summary>Called at the edge or deadline that decided the action, with that moment's time.</summary>
        void OnButtonAction(ButtonAction action, long atMs);
    }

    /// <summary>Receives debounced edges.</summary>
    public interface IButtonEdgeListener
    {
        /// <summary>The button's stable level changed at <paramref name="atMs"/>.</summary>
        void OnStableEdge(bool pressed, long atMs);
    }
}
