using System;
using System.Collections;
using PanicDevice.Core.Counter;
using PanicDevice.Core.Location;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;
using PanicDevice.Core.Time;

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
    /// </summary>
    public class DeliveryEngine : IDownlinkListener
    {
        private readonly DeliveryOptions options;
        private readonly AlertOutbox outbox;
        private readonly MonotonicCounter counter;
        private readonly IUplink uplink;
        private readonly ISmsSender sms;
        private readonly ILocationProvider location;
        private readonly IDeviceTelemetry telemetry;
        private readonly IAlertSmsText smsText;
        private readonly IFeedbackListener feedback;
        private readonly ArrayList pending = new ArrayList();

        private bool started;
        private uint activeAlertCounter;
        private byte activeAlertCode;
        private bool alertActive;
        private bool alertAcknowledged;
        private bool covert;
        private byte lastStatus;
        private long nextFollowUpMs = -1;
        private bool alertUsedSms;
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
            this.feedback = feedback;
        }

        /// <summary>True while an alert is being delivered or followed up.</summary>
        public bool AlertActive
        {
            get { return alertActive; }
        }

        /// <summary>Counter of the current (or last) alert frame; 0 before the first.</summary>
        public uint ActiveAlertCounter
        {
            get { return activeAlertCounter; }
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
                    BeginAlert(r.Frame.Counter, r.Frame.Code, nowMs);
                }
                else if (r.Frame.Kind == MessageKind.Cancel)
                {
                    EndAlert(r.Frame.Code == (byte)AlertCode.DuressCancel);
                }
                if (p.Entry.Has(OutboxEntry.HumanSmsSent | OutboxEntry.GatewaySmsSent))
                {
                    p.SmsDueMs = -1;
                    alertUsedSms = true;
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
                BeginAlert(c, (byte)code, nowMs);
                alertAcknowledged = false;
                alertUsedSms = false;
                feedback.OnFeedback(FeedbackEvent.Sending, nowMs);
                Publish(nowMs);
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
            Frame frame = BuildFrame(MessageKind.Cancel, duress ? (byte)AlertCode.DuressCancel : (byte)AlertCode.Cancel, nowMs);
            uint c = StoreAndTrack(frame, nowMs);
            EndAlert(duress);
            feedback.OnFeedback(FeedbackEvent.Cancelled, nowMs);
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
                long next = nextFollowUpMs;
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
                return next;
            }
        }

        /// <summary>Advances retries, the SMS deadline and follow-ups. Call at NextDeadlineMs and after I/O.</summary>
        public void Poll(long nowMs)
        {
            RequireStarted();
            uplink.Poll(nowMs);
            sms.Poll(nowMs);
            if (alertActive && nextFollowUpMs >= 0 && nowMs >= nextFollowUpMs)
            {
                SendFollowUp(nowMs);
            }
            Publish(nowMs);
            for (int i = 0; i < pending.Count; i++)
            {
                PollSms((PendingDelivery)pending[i], nowMs);
            }
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
            else if (f.Counter != activeAlertCounter)
            {
                // An acknowledgement for something no longer pending: a duplicate or a replay; harmless.
                rejectedDownlinks++;
                return;
            }
            if (f.Counter != activeAlertCounter || activeAlertCounter == 0)
            {
                return;
            }
            if (!alertAcknowledged)
            {
                alertAcknowledged = true;
                if (!covert)
                {
                    feedback.OnFeedback(FeedbackEvent.Acknowledged, atMs);
                }
            }
            int rank = AlertStatusOrder.Rank(f.Code);
            if (f.Kind != MessageKind.Status || rank <= lastStatus)
            {
                // Statuses only move forward (by their place in the alert's life, not their wire value); an older one
                // arriving late is not shown again.
                return;
            }
            lastStatus = (byte)rank;
            if (f.Code == (byte)AlertStatus.OperatorAcknowledged)
            {
                if (!covert)
                {
                    feedback.OnFeedback(FeedbackEvent.OperatorHasIt, atMs);
                }
            }
            else if (f.Code == (byte)AlertStatus.ResponderAssigned)
            {
                if (!covert)
                {
                    feedback.OnFeedback(FeedbackEvent.ResponderOnTheWay, atMs);
                }
            }
            else if (f.Code == (byte)AlertStatus.Resolved || f.Code == (byte)AlertStatus.FalseAlarm || f.Code == (byte)AlertStatus.Cancelled)
            {
                alertActive = false;
                nextFollowUpMs = -1;
                if (!covert)
                {
                    feedback.OnFeedback(f.Code == (byte)AlertStatus.Cancelled ? FeedbackEvent.Cancelled : FeedbackEvent.Resolved, atMs);
                }
                covert = false;
            }
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
            if (refused == activeAlertCounter)
            {
                activeAlertCounter = frame.Counter;
            }
            Publish(nowMs);
        }

        private void BeginAlert(uint alertCounter, byte code, long nowMs)
        {
            activeAlertCounter = alertCounter;
            activeAlertCode = code;
            alertActive = true;
            covert = false;
            lastStatus = 0;
            nextFollowUpMs = nowMs + options.FollowUpIntervalMs;
        }

        private void EndAlert(bool duress)
        {
            if (duress && alertActive)
            {
                // The attacker sees a cancel; the command centre keeps getting the victim's position.
                covert = true;
                return;
            }
            alertActive = false;
            nextFollowUpMs = -1;
        }

        private void SendFollowUp(long nowMs)
        {
            nextFollowUpMs = nowMs + options.FollowUpIntervalMs;
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
            StoreAndTrack(BuildFrame(MessageKind.Update, activeAlertCode, nowMs), nowMs);
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
                if (frame.Kind != MessageKind.Update && frame.Code != (byte)AlertCode.ButtonFault)
                {
                    SendHumanSmsNow(frame, nowMs);
                    feedback.OnFeedback(FeedbackEvent.Failed, nowMs);
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
            if (frame.Kind == MessageKind.Alert || (frame.Kind == MessageKind.Cancel && alertUsedSms))
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

        private void PollSms(PendingDelivery p, long nowMs)
        {
            if (p.SmsIds != null)
            {
                CheckSmsOutcome(p, nowMs);
                return;
            }
            long due = p.SmsRetryAtMs >= 0 ? p.SmsRetryAtMs : p.SmsDueMs;
            if (due < 0 || nowMs < due)
            {
                return;
            }
            QueueFallbackSms(p, nowMs);
        }

        private void QueueFallbackSms(PendingDelivery p, long nowMs)
        {
            Frame frame = FrameCodec.Decode(p.Entry.Frame).Frame;
            ArrayList numbers = new ArrayList();
            ArrayList texts = new ArrayList();
            ArrayList gateway = new ArrayList();
            // A duress cancel texts no person: 112 and the guardians act on the human text alone, and a
            // "cancelled" would stop the help a coerced person needs. The gateway's signed frame says duress.
            if (!p.Entry.Has(OutboxEntry.HumanSmsSent) && p.Code != (byte)AlertCode.ButtonFault && p.Code != (byte)AlertCode.DuressCancel)
            {
                string human = smsText.Compose(frame);
                // A test must never reach the emergency number; guardians and the gateway exercise the path.
                if (options.EmergencyNumber.Length > 0 && p.Code != (byte)AlertCode.Test)
                {
                    numbers.Add(options.EmergencyNumber);
                    texts.Add(human);
                    gateway.Add(false);
                }
                for (int i = 0; i < options.GuardianNumbers.Length; i++)
                {
                    numbers.Add(options.GuardianNumbers[i]);
                    texts.Add(human);
                    gateway.Add(false);
                }
            }
            if (!p.Entry.Has(OutboxEntry.GatewaySmsSent) && options.GatewayNumber.Length > 0)
            {
                numbers.Add(options.GatewayNumber);
                texts.Add(FrameText.Encode(p.Entry.Frame));
                gateway.Add(true);
            }
            p.SmsDueMs = -1;
            p.SmsRetryAtMs = -1;
            if (numbers.Count == 0)
            {
                outbox.SetFlags(p.Entry, (byte)(OutboxEntry.HumanSmsSent | OutboxEntry.GatewaySmsSent));
                return;
            }
            p.SmsAttempts++;
            p.SmsIds = new int[numbers.Count];
            p.SmsNumbers = new string[numbers.Count];
            p.SmsTexts = new string[numbers.Count];
            p.SmsIsGateway = new bool[numbers.Count];
            for (int i = 0; i < numbers.Count; i++)
            {
                p.SmsNumbers[i] = (string)numbers[i];
                p.SmsTexts[i] = (string)texts[i];
                p.SmsIsGateway[i] = (bool)gateway[i];
                p.SmsIds[i] = sms.Send(p.SmsNumbers[i], p.SmsTexts[i], nowMs);
            }
            if (p.Kind == (byte)MessageKind.Alert && p.Code != (byte)AlertCode.ButtonFault)
            {
                if (!alertUsedSms)
                {
                    alertUsedSms = true;
                    // After a duress cancel nothing may show that the alert is still going out.
                    if (!covert)
                    {
                        feedback.OnFeedback(FeedbackEvent.SmsFallback, nowMs);
                    }
                }
                TextPendingCancels(nowMs);
            }
        }

        /// <summary>
        /// Whoever was just texted about an alert must also hear of a cancel the user made before that text went
        /// (Track plans a cancel's SMS only when the alert was texted first). A duress cancel is left to the
        /// data path: no one asked for help by SMS is told to stand down while the person may be coerced.
        /// </summary>
        private void TextPendingCancels(long nowMs)
        {
            for (int i = 0; i < pending.Count; i++)
            {
                PendingDelivery c = (PendingDelivery)pending[i];
                if (c.Kind == (byte)MessageKind.Cancel && c.Code == (byte)AlertCode.Cancel && c.SmsDueMs < 0 && c.SmsRetryAtMs < 0
                    && c.SmsIds == null && c.Entry.Flags == 0)
                {
                    c.SmsDueMs = nowMs;
                }
            }
        }

        private void CheckSmsOutcome(PendingDelivery p, long nowMs)
        {
            bool humanOk = true;
            bool gatewayOk = true;
            bool anyHuman = false;
            bool anyGateway = false;
            for (int i = 0; i < p.SmsIds.Length; i++)
            {
                SmsSendState s = sms.StateOf(p.SmsIds[i]);
                if (s == SmsSendState.Pending)
                {
                    return;
                }
                if (p.SmsIsGateway[i])
                {
                    anyGateway = true;
                    gatewayOk = gatewayOk && s == SmsSendState.Sent;
                }
                else
                {
                    anyHuman = true;
                    humanOk = humanOk && s == SmsSendState.Sent;
                }
            }
            byte done = 0;
            if (anyHuman && humanOk)
            {
                done |= OutboxEntry.HumanSmsSent;
            }
            if (anyGateway && gatewayOk)
            {
                done |= OutboxEntry.GatewaySmsSent;
            }
            if (done != 0)
            {
                outbox.SetFlags(p.Entry, done);
            }
            p.SmsIds = null;
            if ((anyHuman && !humanOk) || (anyGateway && !gatewayOk))
            {
                if (p.SmsAttempts >= options.SmsMaxAttempts)
                {
                    if (!covert)
                    {
                        feedback.OnFeedback(FeedbackEvent.Failed, nowMs);
                    }
                    // Keep trying, less often: the user has been told, but help may still be reachable.
                    p.SmsAttempts = 0;
                }
                p.SmsRetryAtMs = nowMs + options.SmsRetryMs;
            }
        }

        private void SendHumanSmsNow(Frame frame, long nowMs)
        {
            string text = smsText.Compose(frame);
            if (options.EmergencyNumber.Length > 0 && frame.Code != (byte)AlertCode.Test)
            {
                sms.Send(options.EmergencyNumber, text, nowMs);
            }
            for (int i = 0; i < options.GuardianNumbers.Length; i++)
            {
                sms.Send(options.GuardianNumbers[i], text, nowMs);
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
