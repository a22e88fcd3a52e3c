using System.Collections;
using PanicDevice.Core.Outbox;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Sms;

namespace PanicDevice.Core.Delivery
{
    /// <summary>
    /// The SMS path of a frame the data path did not get through in time: the human text to the emergency number and the
    /// guardians, the signed frame to the command centre's gateway, what was sent recorded in the outbox entry
    /// (so a reboot does not text people twice), failed texts retried. When each frame's deadline comes is
    /// <see cref="DeliveryEngine"/>'s; what the wearer is shown is <see cref="AlertSession"/>'s.
    /// </summary>
    internal class SmsFallback
    {
        private readonly DeliveryOptions options;
        private readonly AlertOutbox outbox;
        private readonly ISmsSender sms;
        private readonly IAlertSmsText smsText;
        private readonly AlertSession session;

        /// <summary>Wires the fallback to the engine's outbox, modem and session.</summary>
        public SmsFallback(DeliveryOptions options, AlertOutbox outbox, ISmsSender sms, IAlertSmsText smsText, AlertSession session)
        {
            this.options = options;
            this.outbox = outbox;
            this.sms = sms;
            this.smsText = smsText;
            this.session = session;
        }

        /// <summary>Sends, checks or retries the SMS of one waiting frame when its time has come.</summary>
        public void Poll(PendingDelivery p, ArrayList pending, long nowMs)
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
            QueueFallbackSms(p, pending, nowMs);
        }

        private void QueueFallbackSms(PendingDelivery p, ArrayList pending, long nowMs)
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
                string guardians = options.GuardianNumbers.Length > 0 ? smsText.ComposeForGuardian(frame) : human;
                for (int i = 0; i < options.GuardianNumbers.Length; i++)
                {
                    numbers.Add(options.GuardianNumbers[i]);
                    texts.Add(guardians);
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
                // Shown once, and after a duress cancel not at all: nothing may show that the alert is still going out.
                session.TextedForHelp(nowMs);
                TextPendingCancels(pending, nowMs);
            }
        }

        /// <summary>
        /// Whoever was just texted about an alert must also hear of a cancel the user made before that text went
        /// (Track plans a cancel's SMS only when the alert was texted first). A duress cancel is left to the
        /// data path: no one asked for help by SMS is told to stand down while the person may be coerced.
        /// </summary>
        private static void TextPendingCancels(ArrayList pending, long nowMs)
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
                    session.TextingFailed(nowMs);
                    // Keep trying, less often: the user has been told, but help may still be reachable.
                    p.SmsAttempts = 0;
                }
                p.SmsRetryAtMs = nowMs + options.SmsRetryMs;
            }
        }

        /// <summary>No signed frame could be stored: the human text goes out at once (never a test to the emergency number).</summary>
        public void SendHumanTextNow(Frame frame, long nowMs)
        {
            string text = smsText.Compose(frame);
            if (options.EmergencyNumber.Length > 0 && frame.Code != (byte)AlertCode.Test)
            {
                sms.Send(options.EmergencyNumber, text, nowMs);
            }
            // No stored frame, no counter anyone can look up: the guardians get the plain text, without a live link.
            for (int i = 0; i < options.GuardianNumbers.Length; i++)
            {
                sms.Send(options.GuardianNumbers[i], text, nowMs);
            }
        }
    }
}
