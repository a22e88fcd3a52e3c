using System;
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Delivery;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Tests.Support;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Tests.Delivery
{
    /// <summary>Sees a payload as it is published (nanoFramework has no Action&lt;T&gt;).</summary>
    public delegate void PayloadWatcher(byte[] payload);

    /// <summary>Decides what becomes of an SMS to a number.</summary>
    public delegate SmsSendState SmsOutcome(string number);

    /// <summary>Adjusts the options before the engine is built.</summary>
    public delegate void OptionsEdit(DeliveryOptions options);

    /// <summary>An uplink whose connectivity the test controls; records every publish.</summary>
    public class FakeUplink : IUplink
    {
        public bool Connected;
        /// <summary>While true the uplink is connected but will not take a frame (its in-flight window is full).</summary>
        public bool Refuse;
        /// <summary>The payloads (byte[]) published, in order.</summary>
        public readonly ArrayList Published = new ArrayList();
        public IDownlinkListener Listener;
        public PayloadWatcher OnPublish;

        public bool IsConnected
        {
            get { return Connected; }
        }

        public bool Publish(byte[] payload, long nowMs)
        {
            if (!Connected || Refuse)
            {
                return false;
            }
            if (OnPublish != null)
            {
                OnPublish(payload);
            }
            Published.Add(payload);
            return true;
        }

        public void SetListener(IDownlinkListener listener)
        {
            Listener = listener;
        }

        public void Poll(long nowMs)
        {
        }

        /// <summary>The i-th payload published.</summary>
        public byte[] Payload(int i)
        {
            return (byte[])Published[i];
        }

        /// <summary>The newest payload published.</summary>
        public byte[] Last
        {
            get { return (byte[])Published[Published.Count - 1]; }
        }

        /// <summary>The only payload published; fails the test when there were none or several.</summary>
        public byte[] Single
        {
            get
            {
                Assert.AreEqual(1, Published.Count, "exactly one frame was expected to be published");
                return (byte[])Published[0];
            }
        }

        /// <summary>Publishes (retries included) of frames of this kind.</summary>
        public int CountOf(MessageKind kind)
        {
            int n = 0;
            for (int i = 0; i < Published.Count; i++)
            {
                if (DeviceUnderTest.Decode(Payload(i)).Kind == kind)
                {
                    n++;
                }
            }
            return n;
        }

        /// <summary>Different frames (by counter) of this kind published; retries of one frame count once.</summary>
        public int DistinctOf(MessageKind kind)
        {
            Hashtable counters = new Hashtable();
            for (int i = 0; i < Published.Count; i++)
            {
                Frame f = DeviceUnderTest.Decode(Payload(i));
                if (f.Kind == kind && !counters.Contains(f.Counter))
                {
                    counters.Add(f.Counter, true);
                }
            }
            return counters.Count;
        }
    }

    /// <summary>One SMS handed to <see cref="FakeSms"/>.</summary>
    public class SentSms
    {
        public readonly string Number;
        public readonly string Text;
        public readonly long AtMs;

        public SentSms(string number, string text, long atMs)
        {
            Number = number;
            Text = text;
            AtMs = atMs;
        }
    }

    /// <summary>An SMS sender whose messages stay Pending until the next Poll, then take the outcome the test chose (Sent by default).</summary>
    public class FakeSms : ISmsSender
    {
        /// <summary>The messages (<see cref="SentSms"/>) queued, in order; message i has id i + 1.</summary>
        public readonly ArrayList Messages = new ArrayList();
        private readonly ArrayList states = new ArrayList();
        /// <summary>Null: every message is sent.</summary>
        public SmsOutcome Outcome;

        public int Send(string number, string text, long nowMs)
        {
            Messages.Add(new SentSms(number, text, nowMs));
            states.Add(SmsSendState.Pending);
            return Messages.Count;
        }

        public SmsSendState StateOf(int id)
        {
            return id >= 1 && id <= states.Count ? (SmsSendState)states[id - 1] : SmsSendState.Unknown;
        }

        public void Poll(long nowMs)
        {
            for (int i = 0; i < states.Count; i++)
            {
                if ((SmsSendState)states[i] == SmsSendState.Pending)
                {
                    states[i] = Outcome == null ? SmsSendState.Sent : Outcome(Message(i).Number);
                }
            }
        }

        /// <summary>The i-th message queued.</summary>
        public SentSms Message(int i)
        {
            return (SentSms)Messages[i];
        }

        /// <summary>Messages queued to this number.</summary>
        public int CountTo(string number)
        {
            return CountTo(number, 0);
        }

        /// <summary>Messages queued to this number from message <paramref name="from"/> on.</summary>
        public int CountTo(string number, int from)
        {
            int n = 0;
            for (int i = from; i < Messages.Count; i++)
            {
                if (Message(i).Number == number)
                {
                    n++;
                }
            }
            return n;
        }

        /// <summary>The numbers of messages from <paramref name="from"/> on, in order, separated by spaces.</summary>
        public string NumbersFrom(int from)
        {
            string s = "";
            for (int i = from; i < Messages.Count; i++)
            {
                s += (s.Length == 0 ? "" : " ") + Message(i).Number;
            }
            return s;
        }

        /// <summary>The numbers of all messages, in order, separated by spaces.</summary>
        public string Numbers
        {
            get { return NumbersFrom(0); }
        }
    }

    public class FakeLocation : ILocationProvider
    {
        public LocationFix Fix;

        public LocationFix LastKnown(long nowMs)
        {
            return Fix;
        }
    }

    public class FakeTelemetry : IDeviceTelemetry
    {
        public byte BatteryPercent { get; set; } = 80;
        public sbyte SignalDbm { get; set; } = -75;
        public byte Flags { get; set; }
        public uint UtcSeconds { get; set; } = 1795000000;
    }

    public class PlainSmsText : IAlertSmsText
    {
        // Enums as numbers: nanoFramework's Enum.ToString gives the number, the host the name.
        public string Compose(Frame frame)
        {
            return "ALERT " + frame.DeviceId + " #" + frame.Counter.ToString() + " kind " + ((int)frame.Kind).ToString() + " code " + frame.Code.ToString();
        }

        public string ComposeForGuardian(Frame frame)
        {
            return Compose(frame);
        }
    }

    public class FeedbackRecorder : IFeedbackListener
    {
        /// <summary>The events (boxed <see cref="FeedbackEvent"/>) in order.</summary>
        public readonly ArrayList Events = new ArrayList();

        public void OnFeedback(FeedbackEvent feedback, long atMs)
        {
            Events.Add(feedback);
        }

        /// <summary>How often this event was shown.</summary>
        public int CountOf(FeedbackEvent e)
        {
            int n = 0;
            for (int i = 0; i < Events.Count; i++)
            {
                if ((FeedbackEvent)Events[i] == e)
                {
                    n++;
                }
            }
            return n;
        }

        /// <summary>The newest event; fails the test when there is none.</summary>
        public FeedbackEvent Last
        {
            get
            {
                Assert.IsTrue(Events.Count > 0, "no feedback was given");
                return (FeedbackEvent)Events[Events.Count - 1];
            }
        }

        /// <summary>The events from <paramref name="from"/> on, by name, separated by spaces (compare with <see cref="Names"/>).</summary>
        public string SequenceFrom(int from)
        {
            string s = "";
            for (int i = from; i < Events.Count; i++)
            {
                s += (s.Length == 0 ? "" : " ") + Name((FeedbackEvent)Events[i]);
            }
            return s;
        }

        /// <summary>All events by name, e.g. "Sending Acknowledged".</summary>
        public string Sequence
        {
            get { return SequenceFrom(0); }
        }

        /// <summary>The expected sequence written the way <see cref="Sequence"/> writes it.</summary>
        public static string Names(FeedbackEvent[] events)
        {
            string s = "";
            for (int i = 0; i < events.Length; i++)
            {
                s += (s.Length == 0 ? "" : " ") + Name(events[i]);
            }
            return s;
        }

        // Spelled out because nanoFramework's Enum.ToString gives the number.
        private static string Name(FeedbackEvent e)
        {
            switch (e)
            {
                case FeedbackEvent.Sending:
                    return "Sending";
                case FeedbackEvent.Acknowledged:
                    return "Acknowledged";
                case FeedbackEvent.OperatorHasIt:
                    return "OperatorHasIt";
                case FeedbackEvent.ResponderOnTheWay:
                    return "ResponderOnTheWay";
                case FeedbackEvent.SmsFallback:
                    return "SmsFallback";
                case FeedbackEvent.Failed:
                    return "Failed";
                case FeedbackEvent.Cancelled:
                    return "Cancelled";
                case FeedbackEvent.Resolved:
                    return "Resolved";
                default:
                    return "Event" + ((int)e).ToString();
            }
        }
    }

    /// <summary>A device's delivery stack over one simulated flash store; "reboot" = a new instance on the same store.</summary>
    public class DeviceUnderTest
    {
        public static readonly byte[] Key = SampleFrames.Key(0x30);
        public const string Id = "fob-0042";

        public readonly FlashRecordStore Store;
        public readonly FakeUplink Uplink = new FakeUplink();
        public readonly FakeSms Sms = new FakeSms();
        public readonly FakeLocation Location = new FakeLocation();
        public readonly FakeTelemetry Telemetry = new FakeTelemetry();
        public readonly FeedbackRecorder Feedback = new FeedbackRecorder();
        public readonly DeliveryOptions Options;
        public readonly AlertOutbox Outbox;
        public readonly DeliveryEngine Engine;

        public DeviceUnderTest(FlashRecordStore store = null, long bootMs = 0, OptionsEdit configure = null)
        {
            Store = store ?? new FlashRecordStore();
            Store.Revive();
            Options = new DeliveryOptions();
            Options.DeviceId = Id;
            Options.Key = Key;
            Options.GuardianNumbers = new string[] { "+6281200000001", "+6281200000002" };
            Options.GatewayNumber = "+6281299999999";
            if (configure != null)
            {
                configure(Options);
            }
            Outbox = new AlertOutbox(Store, AlertOutbox.DefaultCapacity);
            Engine = new DeliveryEngine(Options, Outbox, new MonotonicCounter(Store, "counter", 8), Uplink, Sms, Location, Telemetry, new PlainSmsText(), Feedback);
            Engine.Start(bootMs);
        }

        /// <summary>The receiver's frame arrives on the downlink.</summary>
        public void Receive(byte[] downlink, long atMs)
        {
            Uplink.Listener.OnDownlink(downlink, atMs);
        }

        /// <summary>What the receiver would send back for a stored frame.</summary>
        public static byte[] AckFor(byte[] published, AlertStatus status = AlertStatus.Received, byte[] key = null, string deviceId = null)
        {
            Frame stored = FrameCodec.Decode(published).Frame;
            Frame reply = Frame.AckFor(stored, 1795000100);
            if (status != AlertStatus.Received)
            {
                reply.Kind = MessageKind.Status;
                reply.Code = (byte)status;
            }
            if (deviceId != null)
            {
                reply.DeviceId = deviceId;
            }
            return FrameCodec.Encode(reply, key ?? Key);
        }

        /// <summary>What the receiver sends back when it refuses the counter of a published frame: continue from <paramref name="nextCounter"/>.</summary>
        public static byte[] ResyncFor(byte[] published, uint nextCounter, byte[] key = null, string deviceId = null)
        {
            Frame refused = FrameCodec.Decode(published).Frame;
            Frame reply = Frame.ResyncFor(refused, published, CounterProblem.Reused, nextCounter, 1795000100);
            if (deviceId != null)
            {
                reply.DeviceId = deviceId;
            }
            return FrameCodec.Encode(reply, key ?? Key);
        }

        public static Frame Decode(byte[] b)
        {
            return FrameCodec.Decode(b).Frame;
        }
    }
}
