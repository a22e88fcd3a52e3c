using System.Collections;
using System.Text;
using PanicDevice.Core.Io;

namespace PanicDevice.Core.Modem
{
    /// <summary>Where the command in <see cref="AtCommandChannel"/> stands.</summary>
    internal enum AtCommandStatus
    {
        /// <summary>No command was started, or its result was taken.</summary>
        Idle = 0,
        /// <summary>Waiting for the prompt or the final result.</summary>
        Busy = 1,
        /// <summary>The final result was a success code.</summary>
        Ok = 2,
        /// <summary>The final result was an error code (see <see cref="AtCommandChannel.FinalLine"/>).</summary>
        Error = 3,
        /// <summary>No final result within the timeout.</summary>
        TimedOut = 4,
    }

    /// <summary>Receives the lines that do not belong to the running command.</summary>
    internal interface IUnsolicitedListener
    {
        /// <summary>An unsolicited result code (RDY, CLOSED, +PDP: DEACT, +CIPRXGET: 1, …), or a final code no command was waiting for.</summary>
        void OnUnsolicited(string line, long nowMs);
    }

    /// <summary>
    /// Runs one AT command at a time over the modem's byte stream: writes it, hands over data at the '>'
    /// prompt, collects its response lines and decides when it is over, with a timeout for every command.
    /// Unsolicited codes go to the listener whenever they arrive. It keeps no opinion on what a response
    /// means; <see cref="Sim800Modem"/> reads the lines.
    /// </summary>
    internal class AtCommandChannel : IAtLineListener
    {
        /// <summary>Response lines kept per command; more are dropped (a healthy SIM800 sends at most a few).</summary>
        public const int MaxLines = 8;

        private readonly IByteStream port;
        private readonly IUnsolicitedListener unsolicited;
        private readonly AtLineReader reader;
        private readonly byte[] readBuffer = new byte[256];
        private readonly ArrayList lines = new ArrayList();
        private string command;
        private byte[] data;
        private bool waitingForPrompt;
        private bool secondFinal;
        private bool firstLineIsFinal;
        private long deadlineMs;
        private long nowMs;

        /// <summary>Creates a channel over the modem port.</summary>
        public AtCommandChannel(IByteStream port, IUnsolicitedListener unsolicited)
        {
            this.port = port;
            this.unsolicited = unsolicited;
            // Hex receive data (AT+CIPRXGET=3) comes as one line of up to 2 × ReadChunk characters.
            reader = new AtLineReader(this, 1024);
        }

        /// <summary>The running or last command's state.</summary>
        public AtCommandStatus Status { get; private set; }

        /// <summary>The command text last started (without CR).</summary>
        public string Command
        {
            get { return command; }
        }

        /// <summary>The final result line (OK, ERROR, +CME ERROR: …, SEND OK, CONNECT FAIL, …).</summary>
        public string FinalLine { get; private set; }

        /// <summary>Number of response lines collected.</summary>
        public int LineCount
        {
            get { return lines.Count; }
        }

        /// <summary>Response line i.</summary>
        public string Line(int i)
        {
            return (string)lines[i];
        }

        /// <summary>The first collected line that starts with the prefix, or null.</summary>
        public string LineStartingWith(string prefix)
        {
            for (int i = 0; i < lines.Count; i++)
            {
                string l = (string)lines[i];
                if (l.StartsWith(prefix))
                {
                    return l;
                }
            }
            return null;
        }

        /// <summary>Sends a command and waits up to timeoutMs for its final result.</summary>
        public void Start(string text, int timeoutMs, long now)
        {
            Begin(text, null, timeoutMs, now);
        }

        /// <summary>
        /// Sends a command whose success comes in two finals: OK, then CONNECT OK / CONNECT FAIL / ALREADY
        /// CONNECT (AT+CIPSTART in single-connection mode).
        /// </summary>
        public void StartTwoFinals(string text, int timeoutMs, long now)
        {
            Begin(text, null, timeoutMs, now);
            secondFinal = true;
        }

        /// <summary>Sends a command whose only answer is one line with no OK after it (AT+CIFSR).</summary>
        public void StartOneLine(string text, int timeoutMs, long now)
        {
            Begin(text, null, timeoutMs, now);
            firstLineIsFinal = true;
        }

        /// <summary>Sends a command that prompts with '>', then writes the data (CIPSEND, CMGS).</summary>
        public void StartWithData(string text, byte[] payload, int timeoutMs, long now)
        {
            Begin(text, payload, timeoutMs, now);
            waitingForPrompt = true;
            // The prompt comes quickly or not at all; the longer wait starts once the data is out.
            deadlineMs = now + Sim800Timeouts.PromptMs;
            promptedTimeoutMs = timeoutMs;
        }

        private int promptedTimeoutMs;

        /// <summary>Forgets the finished command so a new one can start.</summary>
        public void Clear()
        {
            Status = AtCommandStatus.Idle;
            lines.Clear();
            FinalLine = null;
            data = null;
            waitingForPrompt = false;
            secondFinal = false;
            firstLineIsFinal = false;
        }

        /// <summary>True while a command is running.</summary>
        public bool IsBusy
        {
            get { return Status == AtCommandStatus.Busy; }
        }

        /// <summary>When the running command times out (long.MaxValue when idle).</summary>
        public long DeadlineMs
        {
            get { return Status == AtCommandStatus.Busy ? deadlineMs : long.MaxValue; }
        }

        /// <summary>Reads what the modem sent and checks the timeout.</summary>
        public void Poll(long now)
        {
            nowMs = now;
            while (true)
            {
                int n = port.Read(readBuffer, 0, readBuffer.Length);
                if (n <= 0)
                {
                    break;
                }
                reader.Push(readBuffer, 0, n);
            }
            if (Status == AtCommandStatus.Busy && now >= deadlineMs)
            {
                Status = AtCommandStatus.TimedOut;
            }
        }

        /// <summary>
        /// Ends the running command as failed because of an unsolicited code (CLOSED while CIPSEND waits for
        /// SEND OK): the module will not finish it, and waiting out its timeout would only delay recovery.
        /// </summary>
        public void Abort(string why)
        {
            if (Status == AtCommandStatus.Busy)
            {
                Finish(AtCommandStatus.Error, why);
            }
        }

        /// <summary>Forgets the running command and any partial line (the module rebooted or is being power-cycled).</summary>
        public void Reset()
        {
            Clear();
            reader.Reset();
        }

        private void Begin(string text, byte[] payload, int timeoutMs, long now)
        {
            Clear();
            command = text;
            data = payload;
            Status = AtCommandStatus.Busy;
            deadlineMs = now + timeoutMs;
            byte[] bytes = Encoding.UTF8.GetBytes(text + "\r");
            port.Write(bytes, 0, bytes.Length);
        }

        /// <summary>Called by the line reader.</summary>
        public void OnLine(AtLineKind kind, string text)
        {
            if (kind == AtLineKind.Prompt)
            {
                if (Status == AtCommandStatus.Busy && waitingForPrompt)
                {
                    waitingForPrompt = false;
                    port.Write(data, 0, data.Length);
                    deadlineMs = nowMs + promptedTimeoutMs;
                }
                return;
            }
            string trimmed = text.Trim();
            if (trimmed.Length == 0)
            {
                return;
            }
            if (Status != AtCommandStatus.Busy)
            {
                // A final code nobody waits for (CONNECT OK after a timeout, SEND OK after a reboot) or an URC.
                if (kind != AtLineKind.Intermediate)
                {
                    unsolicited.OnUnsolicited(trimmed, nowMs);
                }
                return;
            }
            if (kind == AtLineKind.Unsolicited && IsCallResult(trimmed))
            {
                // ATD and ATA may end with a call result instead of OK; the voice part hears it as the command's answer.
                Finish(AtCommandStatus.Error, trimmed);
                return;
            }
            if (kind == AtLineKind.Unsolicited && !IsAnswerToQuery(trimmed))
            {
                unsolicited.OnUnsolicited(trimmed, nowMs);
                return;
            }
            if (trimmed == command)
            {
                return; // echo, before ATE0 took effect or after a reboot
            }
            if (kind == AtLineKind.FinalError)
            {
                Finish(AtCommandStatus.Error, trimmed);
                return;
            }
            if (kind == AtLineKind.FinalOk)
            {
                if (waitingForPrompt)
                {
                    return; // a stray OK cannot finish a command still waiting to send its data
                }
                if (secondFinal && trimmed == "OK")
                {
                    secondFinal = false;
                    return;
                }
                Finish(AtCommandStatus.Ok, trimmed);
                return;
            }
            if (kind == AtLineKind.Overlong)
            {
                Finish(AtCommandStatus.Error, "OVERLONG");
                return;
            }
            if (lines.Count < MaxLines)
            {
                lines.Add(trimmed);
            }
            if (firstLineIsFinal)
            {
                Finish(AtCommandStatus.Ok, trimmed);
            }
        }

        private bool IsCallResult(string line)
        {
            return (command.StartsWith("ATD") || command == "ATA")
                && (line == "NO CARRIER" || line == "BUSY" || line == "NO ANSWER" || line == "NO DIALTONE");
        }

        private bool IsAnswerToQuery(string line)
        {
            // +CREG:/+CGREG: are URCs after AT+CREG=1, and the answer to AT+CREG?; +CPIN: NOT READY likewise.
            return (line.StartsWith("+CREG:") && command == "AT+CREG?")
                || (line.StartsWith("+CGREG:") && command == "AT+CGREG?")
                || (line.StartsWith("+CPIN:") && command == "AT+CPIN?")
                || (line.StartsWith("+CLCC:") && command == "AT+CLCC");
        }

        private void Finish(AtCommandStatus status, string final)
        {
            Status = status;
            FinalLine = final;
            waitingForPrompt = false;
        }
    }
}
