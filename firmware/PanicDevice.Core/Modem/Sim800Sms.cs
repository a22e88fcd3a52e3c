using System.Collections;
using System.Text;
using PanicDevice.Core.Sms;

namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// The SIM800's SMS: a bounded queue sent one at a time with AT+CMGS, text mode when the text fits the GSM alphabet
    /// and concatenated PDU mode otherwise, each SMS tried <see cref="Sim800Modem.SmsAttempts"/> times, its outcome
    /// kept for <see cref="StateOf"/>. An SMS that cannot be queued is reported Failed at once, never dropped silently.
    /// </summary>
    internal class Sim800Sms : ISim800Part
    {
        private enum SmsOp
        {
            None, Format, Send,
        }

        private readonly Sim800Modem owner;
        private readonly AtCommandChannel channel;
        private readonly ArrayList queue = new ArrayList();
        private readonly ArrayList done = new ArrayList();
        private SmsOp op = SmsOp.None;
        private int format = -1;
        private int nextId = 1;
        private int reference;

        public Sim800Sms(Sim800Modem owner, AtCommandChannel channel)
        {
            this.owner = owner;
            this.channel = channel;
        }

        /// <summary>SMS the network delivered to the SIM (+CMTI) since start; the device does not act on them.</summary>
        public int IncomingNotices { get; private set; }

        public int Send(string number, string text)
        {
            SmsJob job = new SmsJob();
            job.Id = nextId++;
            job.Number = number;
            job.Text = text == null ? "" : text;
            job.State = SmsSendState.Pending;
            if (!Sim800Replies.IsDialable(number))
            {
                job.State = SmsSendState.Failed;
                owner.LastError = "SMS number is not a phone number";
            }
            else if (queue.Count >= Sim800Modem.MaxQueuedSms)
            {
                job.State = SmsSendState.Failed;
                owner.LastError = "SMS queue full";
            }
            else if (owner.SimMissing)
            {
                job.State = SmsSendState.Failed;
                owner.LastError = "no usable SIM";
            }
            else
            {
                try
                {
                    if (!SmsTextMode.Fits(job.Text))
                    {
                        reference = (reference + 1) & 0xFF;
                        job.Parts = SmsPduEncoder.Encode(number, job.Text, reference);
                    }
                }
                catch (System.ArgumentException)
                {
                    job.State = SmsSendState.Failed;
                    owner.LastError = "SMS text too long";
                }
            }
            if (job.State == SmsSendState.Pending)
            {
                queue.Add(job);
            }
            else
            {
                Remember(job);
            }
            return job.Id;
        }

        public SmsSendState StateOf(int id)
        {
            for (int i = 0; i < queue.Count; i++)
            {
                if (((SmsJob)queue[i]).Id == id)
                {
                    return SmsSendState.Pending;
                }
            }
            for (int i = 0; i < done.Count; i++)
            {
                SmsJob j = (SmsJob)done[i];
                if (j.Id == id)
                {
                    return j.State;
                }
            }
            return SmsSendState.Unknown;
        }

        public bool StartWork(long now)
        {
            if (queue.Count == 0)
            {
                return false;
            }
            SmsJob job = (SmsJob)queue[0];
            int wanted = job.Parts == null ? 1 : 0;
            if (format != wanted)
            {
                op = SmsOp.Format;
                owner.Run(this, "AT+CMGF=" + wanted.ToString(), Sim800Timeouts.SimpleMs);
                return true;
            }
            op = SmsOp.Send;
            if (job.Parts == null)
            {
                owner.RunWithData(this, "AT+CMGS=\"" + job.Number + "\"", TextModePayload(job.Text), Sim800Timeouts.SmsMs);
            }
            else
            {
                SmsPdu part = job.Parts[job.PartIndex];
                owner.RunWithData(this, "AT+CMGS=" + part.TpduLength.ToString(), TextModePayload(part.Hex), Sim800Timeouts.SmsMs);
            }
            return true;
        }

        public void Finish(long now)
        {
            SmsOp finished = op;
            op = SmsOp.None;
            AtCommandStatus status = channel.Status;
            if (status == AtCommandStatus.TimedOut)
            {
                if (finished == SmsOp.Send)
                {
                    Failed(owner.LastError);
                }
                return;
            }
            bool ok = status == AtCommandStatus.Ok;
            if (finished == SmsOp.Format)
            {
                format = ok ? (channel.Command == "AT+CMGF=0" ? 0 : 1) : -1;
                if (!ok)
                {
                    Failed("SMS format refused");
                }
            }
            else if (finished == SmsOp.Send)
            {
                OnSent(ok);
            }
        }

        private void OnSent(bool ok)
        {
            if (queue.Count == 0)
            {
                return;
            }
            SmsJob job = (SmsJob)queue[0];
            if (ok && channel.LineStartingWith("+CMGS:") != null)
            {
                job.PartIndex++;
                if (job.Parts == null || job.PartIndex >= job.Parts.Length)
                {
                    job.State = SmsSendState.Sent;
                    queue.RemoveAt(0);
                    Remember(job);
                    owner.Succeeded();
                }
                return;
            }
            job.Attempts++;
            owner.LastError = "SMS refused (" + channel.FinalLine + ")";
            if (job.Attempts >= Sim800Modem.SmsAttempts)
            {
                Failed(owner.LastError);
                return;
            }
            // Parts already accepted were delivered; a retry resends only what is left.
            owner.Wait(2000);
        }

        /// <summary>The SMS at the head of the queue is given up and reported Failed.</summary>
        private void Failed(string why)
        {
            if (queue.Count == 0)
            {
                return;
            }
            SmsJob job = (SmsJob)queue[0];
            queue.RemoveAt(0);
            job.State = SmsSendState.Failed;
            owner.LastError = why;
            Remember(job);
        }

        /// <summary>Nothing can be sent (no SIM, no network): every queued SMS is reported Failed now rather than left waiting.</summary>
        public void FailAll(string why)
        {
            while (queue.Count > 0)
            {
                Failed(why);
            }
        }

        /// <summary>The module was just configured: its SMS format is whatever it chose.</summary>
        public void FormatUnknown()
        {
            format = -1;
        }

        public bool OnUnsolicited(string line, long now)
        {
            if (line.StartsWith("+CMTI:"))
            {
                IncomingNotices++;
                return true;
            }
            return false;
        }

        public void OnModuleRestarted()
        {
            op = SmsOp.None;
            format = -1;
            // An SMS in flight may or may not have gone; sending it again is better than not at all.
            for (int i = 0; i < queue.Count; i++)
            {
                ((SmsJob)queue[i]).Attempts = 0;
            }
        }

        private void Remember(SmsJob job)
        {
            done.Add(job);
            if (done.Count > 32)
            {
                done.RemoveAt(0);
            }
        }

        private static byte[] TextModePayload(string text)
        {
            byte[] body = Encoding.UTF8.GetBytes(text);
            byte[] payload = new byte[body.Length + 1];
            System.Array.Copy(body, payload, body.Length);
            payload[body.Length] = 0x1A; // Ctrl-Z ends the message
            return payload;
        }

        private class SmsJob
        {
            public int Id;
            public string Number;
            public string Text;
            public SmsSendState State;
            public int Attempts;
            public SmsPdu[] Parts;
            public int PartIndex;
        }
    }
}
