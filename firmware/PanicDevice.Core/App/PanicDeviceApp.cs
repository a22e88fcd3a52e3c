using System;
using PanicDevice.Core.Button;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Config;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Core.Storage;
using PanicDevice.Core.Time;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Core.App
{
    /// <summary>
    /// The whole device behind its hardware: raw button edges in, frames and SMS out. The firmware's
    /// Program and the host simulator both run exactly this, feeding edges and time and calling
    /// <see cref="Poll"/> at <see cref="NextDeadlineMs"/> (or after I/O), so nothing with a decision in it
    /// lives in device-only code.
    /// </summary>
    public class PanicDeviceApp : IButtonActionListener
    {
        /// <summary>A heartbeat that could not go out (no data path yet) is tried again this often.</summary>
        public const int HeartbeatRetryMs = 5000;
        /// <summary>After this long without a data path the heartbeat is skipped until the next interval (a fob must sleep again).</summary>
        public const int HeartbeatGiveUpMs = 120000;

        /// <summary>Outbox slots on flash.</summary>
        public const int OutboxSlots = AlertOutbox.DefaultCapacity;

        private readonly DeviceConfig config;
        private readonly ButtonDebouncer debouncer;
        private readonly TapPatternRecognizer recognizer;
        private readonly DeliveryEngine engine;
        private readonly LastKnownLocation location;
        private readonly int debounceMs;
        private long nextHeartbeatMs = -1;
        private long heartbeatDueSinceMs = -1;
        private ButtonAction lastAction;

        /// <summary>Wires a device that makes no voice calls. <paramref name="profile"/> null takes the config's patterns, or the defaults for the device kind.</summary>
        public PanicDeviceApp(DeviceConfig config, ButtonProfile profile, IRecordStore flash, IUplink uplink, ISmsSender sms,
            IDeviceTelemetry telemetry, IAlertSmsText smsText, IFeedbackListener feedback)
            : this(config, profile, flash, uplink, sms, null, telemetry, smsText, feedback)
        {
        }

        /// <summary>
        /// Wires the device; with <paramref name="voice"/> and config.Calls.Enabled it also calls the emergency number and the
        /// guardians (<see cref="CallCascade"/>).
        /// </summary>
        public PanicDeviceApp(DeviceConfig config, ButtonProfile profile, IRecordStore flash, IUplink uplink, ISmsSender sms, IVoiceCalls voice,
            IDeviceTelemetry telemetry, IAlertSmsText smsText, IFeedbackListener feedback)
        {
            this.config = config;
            if (profile == null)
            {
                profile = config.Buttons;
            }
            if (profile == null)
            {
                profile = config.Kind == DeviceKind.Wall ? ButtonProfile.WallButton() : ButtonProfile.Fob();
            }
            recognizer = new TapPatternRecognizer(profile, this);
            debouncer = new ButtonDebouncer(profile.DebounceMs, recognizer);
            debounceMs = profile.DebounceMs;
            location = new LastKnownLocation(config.FixedLocation);

            DeliveryOptions options = new DeliveryOptions();
            options.DeviceId = config.DeviceId;
            options.Key = config.Key;
            options.SmsDeadlineMs = config.SmsDeadlineS * 1000;
            options.FollowUpIntervalMs = config.FollowUpIntervalS * 1000;
            options.EmergencyNumber = config.EmergencyNumber;
            options.GuardianNumbers = config.GuardianNumbers;
            options.GatewayNumber = config.GatewayNumber;
            MonotonicCounter counter = new MonotonicCounter(flash, "counter", MonotonicCounter.DefaultBlockSize);
            ApplyCounterFloor(counter, config.CounterFloor);
            engine = new DeliveryEngine(options, new AlertOutbox(flash, OutboxSlots), counter, uplink, sms, location, telemetry, smsText, feedback);
            if (voice != null && config.Calls != null && config.Calls.Enabled)
            {
                engine.UseCalls(new CallCascade(config.Calls, voice, config.EmergencyNumber, config.GuardianNumbers));
            }
        }

        /// <summary>
        /// A flash that erased the counter comes with a higher floor in device.json (tools/flash), so the counter never
        /// restarts under the same key; on every later boot the floor is behind the counter and nothing is written.
        /// </summary>
        private static void ApplyCounterFloor(MonotonicCounter counter, uint floor)
        {
            if (floor == 0)
            {
                return;
            }
            try
            {
                counter.AdvanceTo(floor);
            }
            catch (Exception)
            {
                // Flash that cannot be written (or corrupt counter records) fails the first Next() as well, and the
                // engine then sends the human SMS at once; a floor that did not take is caught by the receiver's Resync.
            }
        }

        /// <summary>The delivery engine (state for the simulator and tests).</summary>
        public DeliveryEngine Engine
        {
            get { return engine; }
        }

        /// <summary>Where fixes from GNSS and the modem go.</summary>
        public LastKnownLocation Location
        {
            get { return location; }
        }

        /// <summary>The last action the button produced (None before the first).</summary>
        public ButtonAction LastAction
        {
            get { return lastAction; }
        }

        /// <summary>Boot: resumes the outbox and schedules the first heartbeat.</summary>
        public void Start(long nowMs)
        {
            Start(nowMs, false);
        }

        /// <summary>
        /// Boot; <paramref name="heartbeatDueNow"/> after a timer wake from deep sleep, which a fob schedules for
        /// its heartbeat (the clock restarts with every boot, so the schedule cannot be remembered).
        /// </summary>
        public void Start(long nowMs, bool heartbeatDueNow)
        {
            engine.Start(nowMs);
            nextHeartbeatMs = heartbeatDueNow ? nowMs : nowMs + config.HeartbeatIntervalS * 1000L;
        }

        /// <summary>
        /// Brings the next heartbeat forward to now, e.g. when the board's tamper switch opens or mains power goes
        /// (BoardTelemetry.Poll), so the receiver hears of it at once; the regular schedule continues after it.
        /// </summary>
        public void RequestHeartbeat(long nowMs)
        {
            if (nextHeartbeatMs < 0 || nextHeartbeatMs > nowMs)
            {
                nextHeartbeatMs = nowMs;
            }
        }

        /// <summary>True while a due heartbeat waits for the data path (keeps a fob awake, up to <see cref="HeartbeatGiveUpMs"/>).</summary>
        public bool HeartbeatPending
        {
            get { return heartbeatDueSinceMs >= 0; }
        }

        /// <summary>A raw edge from the button pin (true = pressed), with the monotonic time it happened.</summary>
        public void OnRawButtonEdge(bool pressed, long atMs)
        {
            debouncer.OnRawEdge(pressed, atMs);
            recognizer.Poll(atMs);
        }

        /// <summary>
        /// After a deep-sleep wake by the button: replays the press that woke the device (it happened before the
        /// program ran) so it counts as the first press of a pattern. See <see cref="PanicDevice.Core.Power.WakePress"/>.
        /// </summary>
        public void ReplayWakePress(bool wokeByButton, bool pressedNow, long bootMs, long nowMs)
        {
            long[] edges = PanicDevice.Core.Power.WakePress.EdgeTimes(wokeByButton, pressedNow, bootMs, nowMs, debounceMs);
            for (int i = 0; i < edges.Length; i++)
            {
                OnRawButtonEdge(i % 2 == 0, edges[i]);
            }
        }

        /// <summary>Advances every timer: debounce, patterns, delivery, heartbeat.</summary>
        public void Poll(long nowMs)
        {
            debouncer.Poll(nowMs);
            recognizer.Poll(nowMs);
            engine.Poll(nowMs);
            if (nextHeartbeatMs >= 0 && nowMs >= nextHeartbeatMs)
            {
                if (heartbeatDueSinceMs < 0)
                {
                    heartbeatDueSinceMs = nowMs;
                }
                if (engine.SendHeartbeat(nowMs) || nowMs - heartbeatDueSinceMs >= HeartbeatGiveUpMs)
                {
                    heartbeatDueSinceMs = -1;
                    nextHeartbeatMs = nowMs + config.HeartbeatIntervalS * 1000L;
                }
                else
                {
                    nextHeartbeatMs = nowMs + HeartbeatRetryMs;
                }
            }
        }

        /// <summary>True when the button is released and no press pattern is being timed.</summary>
        public bool ButtonIdle
        {
            get { return !debouncer.IsPressed && debouncer.NextDeadlineMs < 0 && recognizer.NextDeadlineMs < 0; }
        }

        /// <summary>When the device must next wake up (deep sleep until then, or until the button); -1 for never.</summary>
        public long NextDeadlineMs
        {
            get
            {
                long next = Deadlines.Earliest(debouncer.NextDeadlineMs, recognizer.NextDeadlineMs);
                next = Deadlines.Earliest(next, engine.NextDeadlineMs);
                return Deadlines.Earliest(next, nextHeartbeatMs);
            }
        }

        /// <summary>A recognised pattern becomes an alert, a cancel or a fault report.</summary>
        public void OnButtonAction(ButtonAction action, long atMs)
        {
            lastAction = action;
            switch (action)
            {
                case ButtonAction.Alert:
                    engine.RaiseAlert(AlertCode.Panic, atMs);
                    break;
                case ButtonAction.HoldUp:
                    engine.RaiseAlert(AlertCode.HoldUp, atMs);
                    break;
                case ButtonAction.Test:
                    engine.RaiseAlert(AlertCode.Test, atMs);
                    break;
                case ButtonAction.Cancel:
                    engine.Cancel(false, atMs);
                    break;
                case ButtonAction.DuressCancel:
                    engine.Cancel(true, atMs);
                    break;
                case ButtonAction.Fault:
                    engine.RaiseAlert(AlertCode.ButtonFault, atMs);
                    break;
            }
        }
    }
}
