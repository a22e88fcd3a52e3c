using PanicDevice.Core.Feedback;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Delivery
{
    /// <summary>
    /// The alert the wearer raised, as the wearer and the command centre live it: whether it is open, whether it went
    /// covert (a duress cancel), how far it got (stored, an operator has it, a responder, closed), when its next
    /// position follow-up is due, and what the wearer is shown. Which frames carry it, and their retries and SMS, are
    /// <see cref="DeliveryEngine"/>'s job.
    /// </summary>
    public class AlertSession
    {
        private readonly IFeedbackListener feedback;
        private readonly int followUpIntervalMs;

        private uint activeCounter;
        private byte activeCode;
        private bool active;
        private bool acknowledged;
        private bool covert;
        private byte lastStatusRank;
        private long nextFollowUpMs = -1;
        private bool usedSms;

        /// <summary>A session that tells <paramref name="feedback"/> what the wearer should see.</summary>
        public AlertSession(IFeedbackListener feedback, int followUpIntervalMs)
        {
            this.feedback = feedback;
            this.followUpIntervalMs = followUpIntervalMs;
        }

        /// <summary>True while an alert is being delivered or followed up.</summary>
        public bool Active
        {
            get { return active; }
        }

        /// <summary>Counter of the current (or last) alert frame; 0 before the first.</summary>
        public uint ActiveCounter
        {
            get { return activeCounter; }
        }

        /// <summary>The current alert's code, which its follow-ups carry.</summary>
        public byte ActiveCode
        {
            get { return activeCode; }
        }

        /// <summary>After a duress cancel: the alert goes on, and nothing on the device may show it.</summary>
        public bool Covert
        {
            get { return covert; }
        }

        /// <summary>The current alert went out by SMS (so a later cancel must be texted too).</summary>
        public bool UsedSms
        {
            get { return usedSms; }
        }

        /// <summary>When the next position follow-up is due; -1 when none is.</summary>
        public long NextFollowUpMs
        {
            get { return nextFollowUpMs; }
        }

        /// <summary>An alert frame is open (raised now, or found in the outbox at boot).</summary>
        public void Begin(uint alertCounter, byte code, long nowMs)
        {
            activeCounter = alertCounter;
            activeCode = code;
            active = true;
            covert = false;
            lastStatusRank = 0;
            nextFollowUpMs = nowMs + followUpIntervalMs;
        }

        /// <summary>The wearer just raised the alert: nothing about it has been answered or texted yet.</summary>
        public void Raised(uint alertCounter, byte code, long nowMs)
        {
            Begin(alertCounter, code, nowMs);
            acknowledged = false;
            usedSms = false;
            feedback.OnFeedback(FeedbackEvent.Sending, nowMs);
        }

        /// <summary>The outbox at boot says this alert was already texted.</summary>
        public void ResumedAfterSms()
        {
            usedSms = true;
        }

        /// <summary>
        /// A cancel frame: a plain cancel ends the alert; a duress cancel leaves it open and covert, so the command centre
        /// keeps getting the victim's position while the attacker sees a cancel.
        /// </summary>
        public void End(bool duress)
        {
            if (duress && active)
            {
                covert = true;
                return;
            }
            active = false;
            nextFollowUpMs = -1;
        }

        /// <summary>The wearer cancelled: shown as a cancel, a duress cancel too.</summary>
        public void Cancelled(bool duress, long nowMs)
        {
            End(duress);
            feedback.OnFeedback(FeedbackEvent.Cancelled, nowMs);
        }

        /// <summary>True when a follow-up is due now; the next one is then scheduled.</summary>
        public bool TakeFollowUp(long nowMs)
        {
            if (!active || nextFollowUpMs < 0 || nowMs < nextFollowUpMs)
            {
                return false;
            }
            nextFollowUpMs = nowMs + followUpIntervalMs;
            return true;
        }

        /// <summary>The alert frame under a refused counter went out again under a new one.</summary>
        public void Reissued(uint refused, uint newCounter)
        {
            if (refused == activeCounter)
            {
                activeCounter = newCounter;
            }
        }

        /// <summary>The alert's SMS fallback went out: shown once per alert, never while covert.</summary>
        public void TextedForHelp(long nowMs)
        {
            if (usedSms)
            {
                return;
            }
            usedSms = true;
            if (!covert)
            {
                feedback.OnFeedback(FeedbackEvent.SmsFallback, nowMs);
            }
        }

        /// <summary>The alert could not be signed or stored (the human SMS went out at once instead): always shown.</summary>
        public void CouldNotStore(long nowMs)
        {
            feedback.OnFeedback(FeedbackEvent.Failed, nowMs);
        }

        /// <summary>The SMS fallback failed every attempt (the device keeps trying).</summary>
        public void TextingFailed(long nowMs)
        {
            if (!covert)
            {
                feedback.OnFeedback(FeedbackEvent.Failed, nowMs);
            }
        }

        /// <summary>
        /// A verified receiver frame (Ack or Status) about the current alert: it is stored ("received by the system", shown
        /// once), and a status moves the alert forward in its life order (an operator has it, a responder, closed); an older
        /// status arriving late is not shown again.
        /// </summary>
        public void OnReceiverFrame(Frame f, long atMs)
        {
            if (f.Counter != activeCounter || activeCounter == 0)
            {
                return;
            }
            if (!acknowledged)
            {
                acknowledged = true;
                if (!covert)
                {
                    feedback.OnFeedback(FeedbackEvent.Acknowledged, atMs);
                }
            }
            int rank = AlertStatusOrder.Rank(f.Code);
            if (f.Kind != MessageKind.Status || rank <= lastStatusRank)
            {
                return;
            }
            lastStatusRank = (byte)rank;
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
                active = false;
                nextFollowUpMs = -1;
                if (!covert)
                {
                    feedback.OnFeedback(f.Code == (byte)AlertStatus.Cancelled ? FeedbackEvent.Cancelled : FeedbackEvent.Resolved, atMs);
                }
                covert = false;
            }
        }
    }
}
