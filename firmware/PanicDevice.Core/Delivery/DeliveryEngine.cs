using System;
using System.Collections;
using PanicDevice.Core.Calls;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Core.Time;
using PanicDevice.Core.Feedback;

namespace PanicDevice.Core.Delivery
{
    /// <summary>
    /// Takes a press to the command centre. Each frame is signed with a fresh counter and stored in the
    /// outbox before anything is sent; it is published (QoS 1) with bounded exponential backoff until the
    /// receiver's signed acknowledgement arrives. No acknowledgement by the deadline → SMS to the
    /// emergency number and guardians (human text) and to the gateway (signed frame), while the data
    /// path keeps retrying. While an alert is active, follow-up locations go out at an interval. A signed Resync (the
    /// receiver refused a frame's counter: it restarted under the same key) moves the counter forward and sends the
    /// frame again under a new counter; it is never taken for an acknowledgement.
    /// Safety choices (docs/delivery.md): a Test alert never texts the emergency number; a duress cancel
    /// looks cancelled on the device but keeps sending locations and never texts a person to stand down; when the frame cannot be built or
    /// stored, the human SMS still goes out at once.
    /// Two parts it drives: <see cref="SmsFallback"/> sends and retries the texts, <see cref="AlertSession"/> keeps the
    /// alert's life and decides what the wearer is shown. A downlink frame first settles delivery (the frame is stored),
    /// then goes to the session (what it says about the alert).
    /// </summary>
    public class DeliveryEngine : IDownlinkListener, ICallReports
    {
        private readonly DeliveryOptions options;
        private readonly AlertOutbox outbox;
        private readonly MonotonicCounter counter;
        private readonly IUplink uplink;
        private readonly ISmsSender sms;
        private readonly ILocationProvider location;
        private readonly IDeviceTelemetry telemetry;
        private readonly IAlertSmsText smsText;
        private readonly AlertSession session;
        private readonly SmsFallback smsFallback;
        private readonly ArrayList pending = new ArrayList();
        private CallCascade calls;

        /// <summary>Call reports kept waiting for the data path at most (of the outbox's 16 slots).</summary>
        public const int MaxWaitingCallReports = 4;

        private bool started;
        private int rejectedDownlinks;
        private int counterResyncs;
        // Heartbeats are not kept in the outbox; these name the last one so that a Resync about it can be believed.
        private uint lastHeartbeatCounter;
        private uint lastHeartbeatTag;

        /// <summary>Wires the engine; call <see cref="Start"/> once at boot.</summary>
        public DeliveryEngine(DeliveryOptions options, AlertOutbox outbox, MonotonicCounter counter, IUplink uplink, ISmsSender sms,
            ILocationProvider location, IDeviceTelemetry telemetry, IAlertSmsText smsText, IFeedbackListener feedback)
        {
            string problem = options == null ? "options are missing" : options.Validate();
            if (problem != null)
            {
                throw new ArgumentException(problem);
            }
            if (outbox == null || counter == null || uplink == null || sms == null || location == null || telemetry == null || smsText == null || feedback == null)
            {
                throw new ArgumentNullException("a delivery dependency is missing");
            }
            this.options = options;
            this.outbox = outbox;
            this.counter = counter;
            this.uplink = uplink;
            this.sms = sms;
            this.location = location;
            this.telemetry = telemetry;
            this.smsText = smsText;
            session = new AlertSession(feedback, options.FollowUpIntervalMs);
            smsFallback = new SmsFallback(options, outbox, sms, smsText, session);
        }

        /// <summary>
        /// Voice calls for the open alert (docs/delivery.md, Calls): the engine tells the cascade when an alert is raised,
        /// texted, cancelled, taken by an operator or closed, and when a new frame needs the data path; the cascade's reports
        /// come back as signed Call frames, stored and delivered like follow-ups.
        /// </summary>
        public void UseCalls(CallCascade cascade)
        {
            calls = cascade;
            if (cascade != null)
            {
                cascade.SetReports(this);
            }
        }

        /// <summary>The call policy, or null when the device makes no calls.</summary>
        public CallCascade Calls
        {
            get { return calls; }
        }

        /// <summary>True while an alert is being delivered or followed up.</summary>
        public bool AlertActive
        {
            get { return session.Active; }
        }

        /// <summary>Counter of the current (or last) alert frame; 0 before the first.</summary>
        public uint ActiveAlertCounter
        {
            get { return session.ActiveCounter; }
        }

        /// <summary>Downlink payloads ignored as forged, foreign, malformed or stale.</summary>
        public int RejectedDownlinks
        {
            get { return rejectedDownlinks; }
        }

        /// <summary>Signed Resync answers acted on: the counter moved past the receiver's value and the refused frame went out again.</summary>
        public int CounterResyncs
        {
            get { return counterResyncs; }
        }

        /// <summary>Frames waiting for acknowledgement.</summary>
        public int PendingCount
        {
            get { return pending.Count; }
        }

        /// <summary>
        /// Resumes whatever the outbox holds (after a reboot): every entry is delivered again, and an
        /// unacknowledged alert gets a fresh SMS deadline unless its SMS already went out.
        /// </summary>
        public void Start(long nowMs)
        {
            uplink.SetListener(this);
            OutboxEntry[] entries = outbox.Entries();
            for (int i = 0; i < entries.Length; i++)
            {
                DecodeResult r = FrameCodec.Decode(entries[i].Frame);
                if (!r.IsOk)
                {
                    // Every stored frame passed the encoder; an undecodable one means a format change.
                    outbox.Remove(entries[i]);
                    continue;
                }
                PendingDelivery p = Track(entries[i], r.Frame, nowMs);
                if (r.Frame.Kind == MessageKind.Alert)
                {
                    session.Begin(r.Frame.Counter, r.Frame.Code, nowMs);
                    if (calls != null)
                    {
                        calls.Resumed(r.Frame.Code, nowMs);
                    }
                }
                else if (r.Frame.Kind == MessageKind.Cancel)
                {
                    session.End(r.Frame.Code == (byte)AlertCode.DuressCancel);
                }
                if (p.Entry.Has(OutboxEntry.HumanSmsSent | OutboxEntry.GatewaySmsSent))
                {
                    p.SmsDueMs = -1;
                    session.ResumedAfterSms();
                }
            }
            started = true;
        }

        /// <summary>
        /// A button action became an alert (Panic, HoldUp, Test, ButtonFault). Returns the frame's counter,
        /// or 0 when no signed frame could be made (the human SMS was sent instead).
        /// </summary>
        public uint RaiseAlert(AlertCode code, long nowMs)
        {
            RequireStarted();
            if (calls != null && code != AlertCode.ButtonFault)
            {
                calls.FrameWaiting(nowMs); // the frame goes before any call: a call suspends the data path
            }
            Frame frame = BuildFrame(MessageKind.Alert, (byte)code, nowMs);
            uint c = StoreAndTrack(frame, nowMs);
            if (c != 0 && code == AlertCode.ButtonFault)
            {
                // Supervision, not an emergency: delivered and stored, but no follow-ups and no feedback.
                Publish(nowMs);
                return c;
            }
            if (c != 0)
            {
                session.Raised(c, (byte)code, nowMs);
                Publish(nowMs);
            }
            if (calls != null)
            {
                // Also when no frame could be stored: the human SMS went at once, and calls follow it.
                calls.AlertRaised((byte)code, nowMs);
                if (c == 0)
                {
                    calls.TextedForHelp(nowMs);
                }
            }
            return c;
        }

        /// <summary>
        /// The user cancelled. A duress cancel is shown to the user exactly like a cancel, but the receiver
        /// is told the truth and location follow-ups continue covertly.
        /// </summary>
        public uint Cancel(bool duress, long nowMs)
        {
            RequireStarted();
            if (calls != null)
            {
                calls.FrameWaiting(nowMs);
            }
            Frame frame = BuildFrame(MessageKind.Cancel, duress ? (byte)AlertCode.DuressCancel : (byte)AlertCode.Cancel, nowMs);
            uint c = StoreAndTrack(frame, nowMs);
            session.Cancelled(duress, nowMs);
            if (calls != null)
            {
                calls.Cancelled(duress, nowMs);
            }
            Publish(nowMs);
            return c;
        }

        /// <summary>Sends a heartbeat if the data path is up; heartbeats are not stored (the next one replaces it).</summary>
        public bool SendHeartbeat(long nowMs)
        {
            RequireStarted();
            if (!uplink.IsConnected)
            {
                return false;
            }
            Frame frame = BuildFrame(MessageKind.Heartbeat, (byte)AlertCode.None, nowMs);
            byte[] bytes;
            try
            {
                frame.Counter = counter.Next();
                bytes = FrameCodec.Encode(frame, options.Key);
            }
            catch (Exception)
            {
                return false;
            }
            lastHeartbeatCounter = frame.Counter;
            lastHeartbeatTag = FrameCodec.TagPrefix(bytes);
            return uplink.Publish(bytes, nowMs);
        }

        /// <summary>The earliest time <see cref="Poll"/> has work to do; -1 when nothing is scheduled.</summary>
        public long NextDeadlineMs
        {
            get
            {
                long next = session.NextFollowUpMs;
                for (int i = 0; i < pending.Count; i++)
                {
                    PendingDelivery p = (PendingDelivery)pending[i];
                    if (uplink.IsConnected)
                    {
                        // While the link is down the uplink's own reconnect timer is the one to wake for.
                        next = Deadlines.Earliest(next, p.NextPublishMs);
                    }
                    next = Deadlines.Earliest(next, p.SmsDueMs);
                    next = Deadlines.Earliest(next, p.SmsRetryAtMs);
                }
                return calls == null ? next : Deadlines.Earliest(next, calls.NextDeadlineMs);
            }
        }

        /// <summary>Advances retries, the SMS deadline and follow-ups. Call at NextDeadlineMs and after I/O.</summary>
        public void Poll(long nowMs)
        {
            RequireStarted();
            uplink.Poll(nowMs);
            sms.Poll(nowMs);
            if (session.TakeFollowUp(nowMs))
            {
                SendFollowUp(nowMs);
            }
            Publish(nowMs);
            for (int i = 0; i < pending.Count; i++)
            {
                smsFallback.Poll((PendingDelivery)pending[i], pending, nowMs);
            }
            if (calls != null)
            {
                if (session.Active && session.UsedSms)
                {
                    calls.TextedForHelp(nowMs); // once per alert: the cascade starts only from its beginning
                }
                calls.Poll(nowMs);
            }
        }

        /// <summary>A call event for the open alert: signed, stored and delivered like a follow-up (never by SMS).</summary>
        public void OnCallReport(CallEvent callEvent, int who, long nowMs)
        {
            // A dead data path must not fill the outbox with reports and leave no slot for the next alert: the oldest waiting
            // report gives way beyond MaxWaitingCallReports (the receiver learns less about the calls, never less about alerts).
            int waiting = 0;
            for (int i = pending.Count - 1; i >= 0; i--)
            {
                PendingDelivery p = (PendingDelivery)pending[i];
                if (p.Kind == (byte)MessageKind.Call && ++waiting >= MaxWaitingCallReports)
                {
                    pending.RemoveAt(i);
                    outbox.Remove(p.Entry);
                }
            }
            StoreAndTrack(BuildFrame(MessageKind.Call, CallReport.Code(callEvent, who), nowMs), nowMs);
            Publish(nowMs);
        }

        /// <summary>A frame arrived on the downlink: verified against the device key before anything is believed.</summary>
        public void OnDownlink(byte[] payload, long atMs)
        {
            DecodeResult r = FrameCodec.DecodeAndVerify(payload, options.Key);
            if (!r.IsOk || !r.Frame.IsFromReceiver || r.Frame.DeviceId != options.DeviceId)
            {
                rejectedDownlinks++;
                return;
            }
            Frame f = r.Frame;
            if (f.Kind == MessageKind.Resync)
            {
                // Not an acknowledgement: the receiver did NOT store the frame. Never let it reach the lines below.
                OnResync(f, atMs);
                return;
            }
            // Any receiver frame about a counter means the receiver has stored that frame.
            PendingDelivery p = Find(f.Counter);
            if (p != null)
            {
                pending.Remove(p);
                outbox.Remove(p.Entry);
            }
            else if (f.Counter != session.ActiveCounter)
            {
                // An acknowledgement for something no longer pending: a duplicate or a replay; harmless.
                rejectedDownlinks++;
                return;
            }
            // Delivery is settled above; what the frame says about the alert is the session's.
            bool wasActive = session.Active;
            session.OnReceiverFrame(f, atMs);
            if (calls != null)
            {
                TellCalls(f, wasActive, atMs);
            }
        }

        private void TellCalls(Frame f, bool wasActive, long atMs)
        {
            if (!WaitsForData())
            {
                calls.FrameSettled(atMs);
            }
            if (f.Counter != session.ActiveCounter || f.Kind != MessageKind.Status)
            {
                return;
            }
            if (wasActive && !session.Active)
            {
                calls.Closed(atMs);
            }
            else if (AlertStatusOrder.Rank(f.Code) >= 2)
            {
                calls.OperatorHasIt(atMs);
            }
        }

        /// <summary>True while an alert or cancel frame has not been acknowledged.</summary>
        private bool WaitsForData()
        {
            for (int i = 0; i < pending.Count; i++)
            {
                byte kind = ((PendingDelivery)pending[i]).Kind;
                if (kind == (byte)MessageKind.Alert || kind == (byte)MessageKind.Cancel)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>
        /// The receiver refused the counter of a frame this device sent (already used by other bytes, or older than it
        /// remembers: the counter restarted under the same key). Believed only about a frame still waiting, or the last
        /// heartbeat, whose tag begins as the answer says, so an answer about other bytes under the same counter changes
        /// nothing. Then the counter moves to the receiver's value (persisted first; never backwards, never past
        /// MonotonicCounter.AdvanceCeiling) and the frame goes out again under a new counter, so the alert still gets through.
        /// </summary>
        private void OnResync(Frame f, long atMs)
        {
            PendingDelivery p = Find(f.Counter);
            bool heartbeat = p == null && lastHeartbeatCounter != 0 && f.Counter == lastHeartbeatCounter && f.AnsweredTag == lastHeartbeatTag;
            if ((p == null || FrameCodec.TagPrefix(p.Entry.Frame) != f.AnsweredTag) && !heartbeat)
            {
                // About other bytes, a frame already re-sent or acknowledged, or someone else's: stale or replayed.
                rejectedDownlinks++;
                return;
            }
            if (f.NextCounter > MonotonicCounter.AdvanceCeiling)
            {
                // A value that would leave the key almost no counters: a cloned key or a broken receiver. The frame stays
                // pending (refused again at each retry; its SMS fallback runs as for any unanswered alert).
                rejectedDownlinks++;
                return;
            }
            try
            {
                counter.AdvanceTo(f.NextCounter);
            }
            catch (Exception)
            {
                // Flash failure: nothing moved; the next retry is refused again and answered again.
                return;
            }
            counterResyncs++;
            if (heartbeat)
            {
                lastHeartbeatCounter = 0;
                SendHeartbeat(atMs);
                return;
            }
            Reissue(p, atMs);
        }

        /// <summary>
        /// Signs a waiting frame again under a fresh counter, with every other field as it was (the receiver can tell it
        /// is the refused message), replaces it in the outbox and publishes it at once.
        /// </summary>
        private void Reissue(PendingDelivery p, long nowMs)
        {
            Frame frame = FrameCodec.Decode(p.Entry.Frame).Frame;
            uint refused = frame.Counter;
            byte flags = p.Entry.Flags;
            bool gatewayHadOldBytes = p.Entry.Has(OutboxEntry.GatewaySmsSent);
            try
            {
                frame.Counter = counter.Next();
                // The gateway was sent the refused bytes: if the data path fails again it must get the new ones.
                outbox.Replace(p.Entry, FrameCodec.Encode(frame, options.Key), (byte)(flags & ~OutboxEntry.GatewaySmsSent));
            }
            catch (Exception)
            {
                // Still pending under the refused counter: the next retry is refused and answered again.
                return;
            }
            p.Counter = frame.Counter;
            p.Attempts = 0;
            p.NextPublishMs = nowMs;
            if (gatewayHadOldBytes && p.SmsIds == null)
            {
                p.SmsDueMs = nowMs + options.SmsDeadlineMs;
                p.SmsRetryAtMs = -1;
            }
            session.Reissued(refused, frame.Counter);
            Publish(nowMs);
        }

        private void SendFollowUp(long nowMs)
        {
            // A newer position supersedes any follow-up still waiting.
            for (int i = pending.Count - 1; i >= 0; i--)
            {
                PendingDelivery p = (PendingDelivery)pending[i];
                if (p.Kind == (byte)MessageKind.Update)
                {
                    pending.RemoveAt(i);
                    outbox.Remove(p.Entry);
                }
            }
            StoreAndTrack(BuildFrame(MessageKind.Update, session.ActiveCode, nowMs), nowMs);
        }

        private Frame BuildFrame(MessageKind kind, byte code, long nowMs)
        {
            Frame f = Frame.Create(kind, options.DeviceId, 0, code);
            f.TimeUtcSeconds = telemetry.UtcSeconds;
            f.BatteryPercent = telemetry.BatteryPercent;
            f.SignalDbm = telemetry.SignalDbm;
            f.Flags = (byte)(telemetry.Flags & FrameFlags.All);
            LocationStamp.Apply(f, location.LastKnown(nowMs), nowMs);
            return f;
        }

        /// <summary>Counter, sign, persist, track. On failure the human SMS goes out now and the user is told.</summary>
        private uint StoreAndTrack(Frame frame, long nowMs)
        {
            OutboxEntry entry;
            try
            {
                frame.Counter = counter.Next();
                entry = outbox.Append(FrameCodec.Encode(frame, options.Key));
            }
            catch (Exception)
            {
                if (frame.Kind != MessageKind.Update && frame.Kind != MessageKind.Call && frame.Code != (byte)AlertCode.ButtonFault)
                {
                    smsFallback.SendHumanTextNow(frame, nowMs);
                    session.CouldNotStore(nowMs);
                }
                return 0;
            }
            Track(entry, frame, nowMs);
            return frame.Counter;
        }

        private PendingDelivery Track(OutboxEntry entry, Frame frame, long nowMs)
        {
            PendingDelivery p = new PendingDelivery();
            p.Entry = entry;
            p.Counter = frame.Counter;
            p.Kind = (byte)frame.Kind;
            p.Code = frame.Code;
            p.NextPublishMs = nowMs;
            if (frame.Kind == MessageKind.Alert || (frame.Kind == MessageKind.Cancel && session.UsedSms))
            {
                p.SmsDueMs = nowMs + options.SmsDeadlineMs;
            }
            pending.Add(p);
            return p;
        }

        private void Publish(long nowMs)
        {
            if (!uplink.IsConnected)
            {
                return;
            }
            for (int i = 0; i < pending.Count; i++)
            {
                PendingDelivery p = (PendingDelivery)pending[i];
                if (nowMs < p.NextPublishMs)
                {
                    continue;
                }
                if (!uplink.Publish(p.Entry.Frame, nowMs))
                {
                    // The session is full or just dropped; the rest waits for the next poll in order.
                    return;
                }
                p.Attempts++;
                long delay = options.RetryInitialMs;
                for (int k = 1; k < p.Attempts && delay < options.RetryMaxMs; k++)
                {
                    delay *= 2;
                }
                p.NextPublishMs = nowMs + (delay > options.RetryMaxMs ? options.RetryMaxMs : delay);
            }
        }

        private PendingDelivery Find(uint frameCounter)
        {
            for (int i = 0; i < pending.Count; i++)
            {
                PendingDelivery p = (PendingDelivery)pending[i];
                if (p.Counter == frameCounter)
                {
                    return p;
                }
            }
            return null;
        }

        private void RequireStarted()
        {
            if (!started)
            {
                throw new InvalidOperationException("call Start before using the delivery engine");
            }
        }
    }
}
