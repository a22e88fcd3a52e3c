using System;
using System.Collections;
using System.Text;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;

namespace PanicDevice.Tests.Support
{
    /// <summary>
    /// A SIM800 played from a strict script, written the way the SIM800 AT manual prints its examples: the command
    /// the driver must send, then what the module answers (optionally later on the injected clock), the '&gt;' prompt
    /// and the data the driver must send after it, PWRKEY and supply changes, and unsolicited lines at a given
    /// moment. Steps are played strictly in order; the first thing the driver sends or switches that the script
    /// does not expect at that point fails the test with a message naming the step, and
    /// <see cref="AssertPlayedOut"/> fails if steps were left unplayed. Single-threaded: the caller alternates
    /// <see cref="Poll"/> and the driver's Poll with the same clock, as with the emulator.
    /// </summary>
    public sealed class AtTranscript : IByteStream, IModemPower
    {
        /// <summary>Ctrl-Z, which ends an SMS body after the CMGS prompt.</summary>
        public const string CtrlZ = "\u001A";

        private readonly ArrayList steps = new ArrayList();
        private readonly ArrayList timed = new ArrayList();
        private readonly ArrayList output = new ArrayList();
        private readonly StringBuilder line = new StringBuilder();
        private int outputOffset;
        private int stepIndex;
        private int partIndex;
        private int dataMatched;
        private long gateMs;
        private long lastOutMs;
        private string failure;

        /// <summary>The clock as of the last <see cref="Poll"/> (device milliseconds).</summary>
        public long Now { get; private set; }

        /// <summary>The first mismatch, or null while the driver has kept to the script.</summary>
        public string Failure
        {
            get { return failure; }
        }

        /// <summary>Steps fully played so far.</summary>
        public int Played
        {
            get { return stepIndex; }
        }

        /// <summary>True when every step has been played and every timed line sent.</summary>
        public bool PlayedOut
        {
            get
            {
                Advance();
                return failure == null && stepIndex >= steps.Count && timed.Count == 0;
            }
        }

        // ---- Writing the script ----

        /// <summary>The driver sends this command line (without the CR); add the module's answer with the step's methods.</summary>
        public AtStep Expect(string command)
        {
            return Add(new AtStep(steps.Count + 1, AtStep.KindCommand, command, false));
        }

        /// <summary>The driver asserts (true) or releases (false) PWRKEY.</summary>
        public AtStep ExpectPowerKey(bool asserted)
        {
            return Add(new AtStep(steps.Count + 1, AtStep.KindPowerKey, asserted ? "PWRKEY asserted" : "PWRKEY released", asserted));
        }

        /// <summary>The driver switches the module's supply off (false) or on (true).</summary>
        public AtStep ExpectSupply(bool on)
        {
            return Add(new AtStep(steps.Count + 1, AtStep.KindSupply, on ? "supply on" : "supply off", on));
        }

        /// <summary>
        /// The module speaks unasked, <paramref name="afterMs"/> after the previous step ended (its last line went
        /// out, or the driver acted if it had none): RDY after a PWRKEY pulse, CLOSED after a read. Chain more lines,
        /// prompts or pauses on the returned step.
        /// </summary>
        public AtStep Sends(long afterMs, params string[] lines)
        {
            AtStep step = Add(new AtStep(steps.Count + 1, AtStep.KindUnasked, "module speaks unasked", false));
            step.After(afterMs);
            return step.Reply(lines);
        }

        /// <summary>
        /// An unsolicited line at an absolute moment, whatever step the script is at (it can land in the middle of
        /// another command's answer). Lines due at the same moment as script replies follow them.
        /// </summary>
        public void SendsAt(long atMs, string text)
        {
            SendsBytesAt(atMs, Frame(text));
        }

        /// <summary>Raw bytes (line noise, a half line) at an absolute moment, whatever step the script is at.</summary>
        public void SendsBytesAt(long atMs, byte[] bytes)
        {
            int i = 0;
            while (i < timed.Count && ((Timed)timed[i]).AtMs <= atMs)
            {
                i++;
            }
            timed.Insert(i, new Timed(atMs, bytes));
        }

        private AtStep Add(AtStep step)
        {
            steps.Add(step);
            return step;
        }

        // ---- Running ----

        /// <summary>Moves the clock and releases every answer and timed line due by then.</summary>
        public void Poll(long nowMs)
        {
            Now = nowMs;
            Advance();
        }

        /// <summary>Fails the test if the driver left the script (again, in case the first failure was caught) or steps remain unplayed.</summary>
        public void AssertPlayedOut()
        {
            Advance();
            if (failure != null)
            {
                Flunk(failure);
            }
            if (stepIndex < steps.Count)
            {
                AtStep step = (AtStep)steps[stepIndex];
                Flunk("AT transcript stopped at " + step.Describe(steps.Count) + " at " + Now.ToString() + " ms: " + Waiting(step));
            }
            if (timed.Count > 0)
            {
                Flunk("AT transcript: the line timed for " + ((Timed)timed[0]).AtMs.ToString() + " ms was never sent (clock stopped at " + Now.ToString() + " ms)");
            }
        }

        /// <summary>What the script is waiting for (for messages).</summary>
        public string Position
        {
            get
            {
                return stepIndex < steps.Count ? ((AtStep)steps[stepIndex]).Describe(steps.Count) + ": " + Waiting((AtStep)steps[stepIndex]) : "end of the script";
            }
        }

        private string Waiting(AtStep step)
        {
            if (!step.Started)
            {
                return step.Kind == AtStep.KindCommand ? "the driver never sent it" : "the driver never did it";
            }
            AtStep.Part part = step.PartAt(partIndex);
            if (part.IsData)
            {
                return "the driver sent " + dataMatched.ToString() + " of the " + part.Bytes.Length.ToString() + " data bytes " + Show(part.Bytes, 0, part.Bytes.Length);
            }
            return part.Describe() + " is due at " + (gateMs + part.DelayMs).ToString() + " ms";
        }

        /// <summary>Releases what is due: script answers first, then timed lines.</summary>
        private void Advance()
        {
            if (failure != null)
            {
                return;
            }
            while (stepIndex < steps.Count)
            {
                AtStep step = (AtStep)steps[stepIndex];
                if (!step.Started)
                {
                    if (step.Kind != AtStep.KindUnasked)
                    {
                        break; // waiting for the driver
                    }
                    step.Start(lastOutMs);
                    gateMs = lastOutMs;
                }
                if (partIndex >= step.PartCount)
                {
                    stepIndex++;
                    partIndex = 0;
                    continue;
                }
                AtStep.Part part = step.PartAt(partIndex);
                if (part.IsData || Now < gateMs + part.DelayMs)
                {
                    break;
                }
                output.Add(part.Bytes);
                lastOutMs = gateMs + part.DelayMs;
                partIndex++;
            }
            while (timed.Count > 0 && ((Timed)timed[0]).AtMs <= Now)
            {
                output.Add(((Timed)timed[0]).Bytes);
                timed.RemoveAt(0);
            }
        }

        // ---- IByteStream ----

        /// <summary>Hands the driver what the module has sent so far.</summary>
        public int Read(byte[] buffer, int offset, int count)
        {
            Advance();
            int n = 0;
            while (n < count && output.Count > 0)
            {
                byte[] head = (byte[])output[0];
                int take = head.Length - outputOffset < count - n ? head.Length - outputOffset : count - n;
                Array.Copy(head, outputOffset, buffer, offset + n, take);
                n += take;
                outputOffset += take;
                if (outputOffset >= head.Length)
                {
                    output.RemoveAt(0);
                    outputOffset = 0;
                }
            }
            return n;
        }

        /// <summary>Checks what the driver sends against the script, byte by byte.</summary>
        public void Write(byte[] buffer, int offset, int count)
        {
            Advance();
            if (failure != null)
            {
                Flunk(failure);
            }
            int end = offset + count;
            int i = offset;
            while (i < end)
            {
                AtStep.Part data = PendingData();
                if (data != null)
                {
                    if (line.Length > 0)
                    {
                        Fail("the driver sent data while a command line was half written (\"" + line.ToString() + "\")");
                    }
                    if (buffer[i] != data.Bytes[dataMatched])
                    {
                        Fail("the driver's data differs at byte " + dataMatched.ToString() + ": expected " + Show(data.Bytes, 0, data.Bytes.Length)
                            + " but got " + Show(data.Bytes, 0, dataMatched) + "+" + Show(buffer, i, end - i));
                    }
                    dataMatched++;
                    i++;
                    if (dataMatched == data.Bytes.Length)
                    {
                        dataMatched = 0;
                        ((AtStep)steps[stepIndex]).DataArrived(Now);
                        gateMs = Now;
                        lastOutMs = Now;
                        partIndex++;
                        Advance();
                    }
                    continue;
                }
                byte b = buffer[i++];
                if (b == (byte)'\n')
                {
                    continue;
                }
                if (b != (byte)'\r')
                {
                    line.Append(b >= 0x20 && b < 0x7F ? (char)b : '?');
                    continue;
                }
                string command = line.ToString();
                line.Clear();
                OnCommand(command);
            }
        }

        private AtStep.Part PendingData()
        {
            if (stepIndex >= steps.Count)
            {
                return null;
            }
            AtStep step = (AtStep)steps[stepIndex];
            if (!step.Started || partIndex >= step.PartCount)
            {
                return null;
            }
            AtStep.Part part = step.PartAt(partIndex);
            return part.IsData ? part : null;
        }

        private void OnCommand(string command)
        {
            AtStep repeat = Repeatable();
            if (repeat != null && repeat.Text == command)
            {
                // The driver asked again (a poll): the previous step plays once more, and stays the one to repeat.
                stepIndex--;
                Play(repeat);
                return;
            }
            AtStep step = Current("sent \"" + command + "\"");
            if (step.Kind != AtStep.KindCommand || step.Text != command)
            {
                Fail(step.Describe(steps.Count) + " is next" + (repeat != null ? " (or " + repeat.Describe(steps.Count) + " again)" : "")
                    + ", but the driver sent \"" + command + "\"");
            }
            Play(step);
        }

        /// <summary>The step just finished, if it may repeat and the next one has not begun.</summary>
        private AtStep Repeatable()
        {
            if (failure != null || stepIndex == 0 || (stepIndex < steps.Count && ((AtStep)steps[stepIndex]).Started))
            {
                return null;
            }
            AtStep previous = (AtStep)steps[stepIndex - 1];
            return previous.Repeats && previous.Kind == AtStep.KindCommand ? previous : null;
        }

        // ---- IModemPower ----

        /// <summary>Checks the PWRKEY change against the script.</summary>
        public void SetPowerKey(bool asserted)
        {
            Advance();
            AtStep step = Current(asserted ? "asserted PWRKEY" : "released PWRKEY");
            if (step.Kind != AtStep.KindPowerKey || step.Level != asserted)
            {
                Fail(step.Describe(steps.Count) + " is next, but the driver " + (asserted ? "asserted" : "released") + " PWRKEY");
            }
            Play(step);
        }

        /// <summary>Checks the supply change against the script.</summary>
        public void SetSupply(bool on)
        {
            Advance();
            AtStep step = Current(on ? "switched the supply on" : "switched the supply off");
            if (step.Kind != AtStep.KindSupply || step.Level != on)
            {
                Fail(step.Describe(steps.Count) + " is next, but the driver switched the supply " + (on ? "on" : "off"));
            }
            Play(step);
        }

        /// <summary>The step the driver's action must match: not started, nothing of the previous step still owed.</summary>
        private AtStep Current(string what)
        {
            if (failure != null)
            {
                Flunk(failure);
            }
            if (stepIndex >= steps.Count)
            {
                Fail("the script has ended (" + steps.Count.ToString() + " steps), but the driver " + what);
            }
            AtStep step = (AtStep)steps[stepIndex];
            if (step.Started)
            {
                Fail(step.Describe(steps.Count) + " is not finished (" + Waiting(step) + "), but the driver " + what);
            }
            return step;
        }

        private void Play(AtStep step)
        {
            step.Start(Now);
            gateMs = Now;
            lastOutMs = Now;
            partIndex = 0;
            Advance();
        }

        private void Fail(string message)
        {
            if (failure == null)
            {
                failure = "AT transcript at " + Now.ToString() + " ms: " + message + Previous();
            }
            Flunk(failure);
        }

        private string Previous()
        {
            int last = stepIndex - 1;
            if (stepIndex < steps.Count && ((AtStep)steps[stepIndex]).Started)
            {
                last = stepIndex;
            }
            return last >= 0 ? " (last played: " + ((AtStep)steps[last]).Describe(steps.Count) + ")" : " (no step played yet)";
        }

        private static void Flunk(string message)
        {
            // Qualified: inside this class "Expect" is the script method.
            PanicDevice.Tests.Support.Expect.Fail(message);
        }

        private static byte[] Frame(string text)
        {
            return Encoding.UTF8.GetBytes("\r\n" + text + "\r\n");
        }

        /// <summary>Bytes as a quoted string with control characters escaped (Ctrl-Z shows as \x1A).</summary>
        internal static string Show(byte[] bytes, int offset, int count)
        {
            StringBuilder sb = new StringBuilder();
            sb.Append('"');
            int end = offset + count;
            int shown = end - offset > 120 ? offset + 120 : end;
            for (int i = offset; i < shown; i++)
            {
                byte b = bytes[i];
                if (b == (byte)'\r')
                {
                    sb.Append("\\r");
                }
                else if (b == (byte)'\n')
                {
                    sb.Append("\\n");
                }
                else if (b >= 0x20 && b < 0x7F)
                {
                    sb.Append((char)b);
                }
                else
                {
                    sb.Append("\\x").Append(Hex.Of(new byte[] { b }).ToUpper());
                }
            }
            if (shown < end)
            {
                sb.Append("...(" + count.ToString() + " bytes)");
            }
            sb.Append('"');
            return sb.ToString();
        }

        private sealed class Timed
        {
            public readonly long AtMs;
            public readonly byte[] Bytes;

            public Timed(long atMs, byte[] bytes)
            {
                AtMs = atMs;
                Bytes = bytes;
            }
        }
    }

    /// <summary>
    /// One step of an <see cref="AtTranscript"/>: what the driver must do (send a command, drive PWRKEY or the
    /// supply; nothing for unasked lines) and what the module sends in return, in order. Delays given with
    /// <see cref="After"/> add up and count from when the driver's command (or its data after a prompt) arrived.
    /// </summary>
    public sealed class AtStep
    {
        internal const int KindCommand = 0;
        internal const int KindPowerKey = 1;
        internal const int KindSupply = 2;
        internal const int KindUnasked = 3;

        private readonly ArrayList parts = new ArrayList();
        private readonly int number;
        private long delayMs;

        internal AtStep(int number, int kind, string text, bool level)
        {
            this.number = number;
            Kind = kind;
            Text = text;
            Level = level;
            PlayedAtMs = -1;
            FirstPlayedAtMs = -1;
            DataAtMs = -1;
        }

        internal int Kind { get; private set; }

        internal string Text { get; private set; }

        internal bool Level { get; private set; }

        internal bool Started { get; private set; }

        /// <summary>When the driver's command or power change last arrived (for unasked lines: when they began), or -1 while unplayed.</summary>
        public long PlayedAtMs { get; private set; }

        /// <summary>When the data after the prompt arrived, or -1.</summary>
        public long DataAtMs { get; private set; }

        /// <summary>The module answers these lines (each framed CR LF as with ATV1), after the delays given so far.</summary>
        public AtStep Reply(params string[] lines)
        {
            for (int i = 0; i < lines.Length; i++)
            {
                parts.Add(new Part(delayMs, Encoding.UTF8.GetBytes("\r\n" + lines[i] + "\r\n"), false, "reply \"" + lines[i] + "\""));
            }
            return this;
        }

        /// <summary>The module sends these bytes as they are (line noise, a line without its end).</summary>
        public AtStep ReplyBytes(byte[] bytes)
        {
            parts.Add(new Part(delayMs, bytes, false, "bytes " + AtTranscript.Show(bytes, 0, bytes.Length)));
            return this;
        }

        /// <summary>What follows comes this much later.</summary>
        public AtStep After(long ms)
        {
            delayMs += ms;
            return this;
        }

        /// <summary>The module prompts with "&gt; " for the data of CIPSEND or CMGS.</summary>
        public AtStep Prompt()
        {
            parts.Add(new Part(delayMs, Encoding.UTF8.GetBytes("\r\n> "), false, "the '>' prompt"));
            return this;
        }

        /// <summary>The driver must send exactly these bytes next; later replies count their delays from their arrival.</summary>
        public AtStep ExpectData(byte[] bytes)
        {
            parts.Add(new Part(0, bytes, true, "data " + AtTranscript.Show(bytes, 0, bytes.Length)));
            delayMs = 0;
            return this;
        }

        /// <summary>As <see cref="ExpectData"/>, for text (end an SMS with <see cref="AtTranscript.CtrlZ"/>).</summary>
        public AtStep ExpectText(string text)
        {
            return ExpectData(Encoding.UTF8.GetBytes(text));
        }

        internal int PartCount
        {
            get { return parts.Count; }
        }

        internal Part PartAt(int i)
        {
            return (Part)parts[i];
        }

        internal void Start(long nowMs)
        {
            if (Started)
            {
                Times++;
            }
            else
            {
                Times = 1;
                FirstPlayedAtMs = nowMs;
            }
            Started = true;
            PlayedAtMs = nowMs;
            DataAtMs = -1;
        }

        /// <summary>
        /// The driver may send this command again and again (a poll); each time the module answers the same. The
        /// script moves on when the driver sends the next step's command instead (an unasked step next begins at
        /// once, which ends the repeating).
        /// </summary>
        public AtStep Repeatedly()
        {
            Repeats = true;
            return this;
        }

        internal bool Repeats { get; private set; }

        /// <summary>Times the step was played (more than once only with <see cref="Repeatedly"/>).</summary>
        public int Times { get; private set; }

        /// <summary>When the step was first played (<see cref="PlayedAtMs"/> is the last time), or -1.</summary>
        public long FirstPlayedAtMs { get; private set; }

        internal void DataArrived(long nowMs)
        {
            DataAtMs = nowMs;
        }

        internal string Describe(int total)
        {
            string what;
            if (Kind == KindCommand)
            {
                what = "expects \"" + Text + "\"";
            }
            else if (Kind == KindUnasked)
            {
                what = parts.Count > 0 ? "module sends " + ((Part)parts[0]).Describe() : "module speaks unasked";
            }
            else
            {
                what = "expects " + Text;
            }
            return "step " + number.ToString() + " of " + total.ToString() + " (" + what + ")";
        }

        /// <summary>One thing in a step: bytes the module sends when due, or data the driver must send.</summary>
        internal sealed class Part
        {
            public readonly long DelayMs;
            public readonly byte[] Bytes;
            public readonly bool IsData;
            private readonly string label;

            public Part(long delayMs, byte[] bytes, bool isData, string label)
            {
                DelayMs = delayMs;
                Bytes = bytes;
                IsData = isData;
                this.label = label;
            }

            public string Describe()
            {
                return label;
            }
        }
    }
}
