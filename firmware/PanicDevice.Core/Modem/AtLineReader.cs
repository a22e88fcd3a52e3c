using System.Text;

namespace PanicDevice.Core.Modem
{
    /// <summary>What kind of line the modem sent (SIMCom SIM800 Series AT Command Manual conventions).</summary>
    internal enum AtLineKind
    {
        /// <summary>Part of a command's response (e.g. "+CSQ: 17,0").</summary>
        Intermediate = 0,
        /// <summary>The command succeeded: OK, SHUT OK, SEND OK, DATA ACCEPT:n, CONNECT OK, ALREADY CONNECT.</summary>
        FinalOk = 1,
        /// <summary>The command failed: ERROR, +CME ERROR: n, +CMS ERROR: n, SEND FAIL, CONNECT FAIL.</summary>
        FinalError = 2,
        /// <summary>The '>' prompt that asks for data (CIPSEND, CMGS); it has no line end.</summary>
        Prompt = 3,
        /// <summary>An unsolicited result code that can arrive at any moment (RDY, CLOSED, +PDP: DEACT, …).</summary>
        Unsolicited = 4,
        /// <summary>A line longer than the limit: its text was cut and must not be trusted.</summary>
        Overlong = 5,
    }

    /// <summary>Receives classified lines from <see cref="AtLineReader"/>.</summary>
    internal interface IAtLineListener
    {
        /// <summary>A complete line (without CR/LF), or the prompt.</summary>
        void OnLine(AtLineKind kind, string text);
    }

    /// <summary>
    /// Splits the modem's byte stream into lines and classifies them. Bytes come in any chunking; empty
    /// lines are skipped; a lone '>' at the start of a line is the data prompt; lines are bounded, so a
    /// modem spewing garbage costs a fixed amount of memory. Unsolicited codes are recognised wherever they
    /// appear, including in the middle of another command's response, so the driver can act on a reboot
    /// (RDY) or a dropped connection (CLOSED) at any time. "+CREG:"/"+CGREG:" are both unsolicited (after
    /// AT+CREG=1) and the answer to AT+CREG?; they are classified Unsolicited and the driver treats them
    /// as the answer while that query is pending.
    /// </summary>
    internal class AtLineReader
    {
        /// <summary>Default longest line kept (SIM800 text lines are well under this; +CIPGSMLOC is the longest common one).</summary>
        public const int MaxLineLength = 256;

        private static readonly string[] UnsolicitedPrefixes =
        {
            "RDY", "Call Ready", "SMS Ready", "CLOSED", "+PDP: DEACT", "UNDER-VOLTAGE", "OVER-VOLTAGE", "NORMAL POWER DOWN",
            "+CMTI:", "+CIPRXGET: 1", "+CPIN: NOT READY", "+CFUN:", "*PSUTT", "+CTZV:", "DST:", "+CREG:", "+CGREG:",
            // A voice call reports itself at any moment, also in the middle of another command's answer.
            "RING", "+CLIP:", "+CLCC:", "+DTMF:", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE",
        };

        private readonly IAtLineListener listener;
        private readonly StringBuilder line = new StringBuilder();
        private readonly int maxLineLength;
        private bool overlong;

        /// <summary>Creates a reader that reports to the listener, with the default line limit.</summary>
        public AtLineReader(IAtLineListener listener)
            : this(listener, MaxLineLength)
        {
        }

        /// <summary>Creates a reader whose lines may be up to maxLineLength characters (hex receive data needs more).</summary>
        public AtLineReader(IAtLineListener listener, int maxLineLength)
        {
            this.listener = listener;
            this.maxLineLength = maxLineLength;
        }

        /// <summary>Drops a partial line (after the module rebooted mid-line).</summary>
        public void Reset()
        {
            line.Clear();
            overlong = false;
        }

        /// <summary>Feeds received bytes.</summary>
        public void Push(byte[] buffer, int offset, int count)
        {
            for (int i = offset; i < offset + count; i++)
            {
                Push(buffer[i]);
            }
        }

        /// <summary>Feeds one received byte.</summary>
        public void Push(byte b)
        {
            if (b == (byte)'\r' || b == (byte)'\n')
            {
                EndLine();
                return;
            }
            if (b == (byte)'>' && line.Length == 0 && !overlong)
            {
                listener.OnLine(AtLineKind.Prompt, ">");
                return;
            }
            if (line.Length >= maxLineLength)
            {
                overlong = true;
                return;
            }
            // The AT dialect is ASCII; anything else is line noise and is shown as '?' rather than guessed at.
            line.Append(b >= 0x20 && b < 0x7F ? (char)b : '?');
        }

        private void EndLine()
        {
            if (line.Length == 0 && !overlong)
            {
                return;
            }
            string text = line.ToString();
            line.Clear();
            if (overlong)
            {
                overlong = false;
                listener.OnLine(AtLineKind.Overlong, text);
                return;
            }
            listener.OnLine(Classify(text), text);
        }

        /// <summary>Classifies one complete line.</summary>
        public static AtLineKind Classify(string text)
        {
            if (text == "OK" || text == "SHUT OK" || text == "SEND OK" || text == "CONNECT OK" || text == "ALREADY CONNECT"
                || EndsWith(text, ", CONNECT OK") || EndsWith(text, ", SEND OK") || EndsWith(text, ", CLOSE OK") || text == "CLOSE OK"
                || StartsWith(text, "DATA ACCEPT:"))
            {
                return AtLineKind.FinalOk;
            }
            if (text == "ERROR" || StartsWith(text, "+CME ERROR:") || StartsWith(text, "+CMS ERROR:") || text == "SEND FAIL" || text == "CONNECT FAIL"
                || EndsWith(text, ", SEND FAIL") || EndsWith(text, ", CONNECT FAIL"))
            {
                return AtLineKind.FinalError;
            }
            for (int i = 0; i < UnsolicitedPrefixes.Length; i++)
            {
                if (StartsWith(text, UnsolicitedPrefixes[i]) || EndsWith(text, ", CLOSED"))
                {
                    return AtLineKind.Unsolicited;
                }
            }
            return AtLineKind.Intermediate;
        }

        private static bool StartsWith(string s, string prefix)
        {
            return s.Length >= prefix.Length && s.Substring(0, prefix.Length) == prefix;
        }

        private static bool EndsWith(string s, string suffix)
        {
            return s.Length >= suffix.Length && s.Substring(s.Length - suffix.Length) == suffix;
        }
    }
}
