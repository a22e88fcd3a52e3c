using System;
using PanicDevice.Core.Io;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Net;
using PanicDevice.Tests.Support;

namespace PanicDevice.Tests.Modem
{
    /// <summary>A condition a bench waits for (nanoFramework has no Func&lt;bool&gt;).</summary>
    public delegate bool BenchCondition();

    /// <summary>
    /// Sim800Modem on a virtual clock against a scripted module (an <see cref="AtTranscript"/> or a
    /// <see cref="ScriptedSim800"/>): each turn polls the module, then the driver, with the same time, then moves
    /// the clock on by <see cref="StepMs"/>. No real time passes, so minutes of modem time take milliseconds.
    /// </summary>
    public sealed class ModemBench
    {
        /// <summary>Virtual milliseconds per turn; every timeout in Sim800Timeouts is a multiple, so deadlines land exactly.</summary>
        public const int StepMs = 10;
        /// <summary>The APN password the benches use, to check it never reaches an error text.</summary>
        public const string ApnPassword = "apn-secret-77";

        public readonly Sim800Modem Driver;
        public readonly AtTranscript At;
        public readonly ScriptedSim800 Sim;

        /// <summary>The time of the next turn.</summary>
        public long Now;

        /// <summary>The driver over a strict transcript, with <see cref="Settings"/>.</summary>
        public ModemBench(AtTranscript at)
            : this(at, Settings())
        {
        }

        public ModemBench(AtTranscript at, Sim800Settings settings)
        {
            At = at;
            Driver = new Sim800Modem(at, at, settings);
        }

        /// <summary>The driver over the rule-based module.</summary>
        public ModemBench(ScriptedSim800 sim, Sim800Settings settings)
        {
            Sim = sim;
            Driver = new Sim800Modem(sim, sim, settings);
        }

        /// <summary>The driver over the rule-based module whose UART reaches it through <paramref name="port"/> (noise, say).</summary>
        public ModemBench(ScriptedSim800 sim, IByteStream port, Sim800Settings settings)
        {
            Sim = sim;
            Driver = new Sim800Modem(port, sim, settings);
        }

        /// <summary>The driver over any stream and power pins (a test's own line).</summary>
        public ModemBench(IByteStream port, IModemPower power, Sim800Settings settings)
        {
            Driver = new Sim800Modem(port, power, settings);
        }

        /// <summary>A bench over a transcript played to Ready (<see cref="Sim800Script.Start"/>); add steps to <see cref="At"/> and play on.</summary>
        public static ModemBench Started()
        {
            return Started(Settings());
        }

        public static ModemBench Started(Sim800Settings settings)
        {
            AtTranscript at = new AtTranscript();
            Sim800Script.Start(at);
            ModemBench b = new ModemBench(at, settings);
            b.Play(5000);
            return b;
        }

        /// <summary>A bench whose link is open to <see cref="Sim800Script.Host"/> over freshly attached GPRS.</summary>
        public static ModemBench Connected()
        {
            return Connected(Settings());
        }

        public static ModemBench Connected(Sim800Settings settings)
        {
            ModemBench b = Started(settings);
            Sim800Script.Gprs(b.At);
            Sim800Script.Connect(b.At);
            b.Driver.Open(Sim800Script.Host, Sim800Script.Port, b.Now);
            b.Play(5000);
            Assert.AreEqual((int)TcpLinkState.Open, (int)b.Driver.State, "the link is open: " + b.Why);
            return b;
        }

        /// <summary>
        /// Test settings: an APN with credentials, and the periodic receive and signal polls far apart so a
        /// transcript shows them only where a test asks for them.
        /// </summary>
        public static Sim800Settings Settings()
        {
            Sim800Settings s = new Sim800Settings();
            s.Apn = "internet";
            s.ApnUser = "wap";
            s.ApnPassword = ApnPassword;
            s.ReceivePollMs = 600000;
            s.SignalPollMs = 3600000;
            return s;
        }

        /// <summary>One turn: module, then driver, at <see cref="Now"/>; then the clock moves on.</summary>
        public void Turn()
        {
            if (At != null)
            {
                At.Poll(Now);
            }
            if (Sim != null)
            {
                Sim.Poll(Now);
            }
            Driver.Poll(Now);
            Now += StepMs;
        }

        /// <summary>Turns until the clock reaches <paramref name="ms"/> (exclusive).</summary>
        public void RunUntilTime(long ms)
        {
            while (Now < ms)
            {
                Turn();
            }
        }

        /// <summary>Turns for <paramref name="ms"/> of modem time.</summary>
        public void RunFor(long ms)
        {
            RunUntilTime(Now + ms);
        }

        /// <summary>Turns until the condition holds (checked after each turn) or <paramref name="maxMs"/> passed; returns the condition.</summary>
        public bool RunUntil(BenchCondition done, long maxMs)
        {
            long end = Now + maxMs;
            while (Now < end)
            {
                Turn();
                if (done())
                {
                    return true;
                }
            }
            return done();
        }

        /// <summary>
        /// Runs until the transcript is played out (at most <paramref name="maxMs"/>), checks it was, then runs
        /// <see cref="QuietMs"/> more so a command the script does not expect after its end fails the test too.
        /// </summary>
        public void Play(long maxMs)
        {
            AtTranscript at = At;
            RunUntil(delegate { return at.PlayedOut; }, maxMs);
            at.AssertPlayedOut();
            RunFor(QuietMs);
        }

        /// <summary>How long <see cref="Play"/> watches for unexpected commands after the script's end.</summary>
        public const int QuietMs = 1000;

        public string Why
        {
            get
            {
                return "phase " + ((int)Driver.Phase).ToString() + ", link " + ((int)Driver.State).ToString() + ", last error: " + Driver.LastError
                    + (At != null ? ", transcript at " + At.Position : "");
            }
        }
    }

    /// <summary>
    /// The conversations a healthy SIM800 has with the driver, as transcript pieces (SIM800 Series AT Command Manual
    /// V1.09 wording), for tests to put before and after the part they are about.
    /// </summary>
    public static class Sim800Script
    {
        /// <summary>The local time +CCLK reports in <see cref="Ready"/>: 2026-11-29 08:44:52 at +07:00.</summary>
        public const string ClockLine = "+CCLK: \"26/11/29,08:44:52+28\"";
        /// <summary><see cref="ClockLine"/> in UTC seconds (2026-11-29 01:44:52 UTC).</summary>
        public const long ClockUtcSeconds = 1795916692;
        public const string Host = "broker.example.net";
        public const int Port = 8883;

        /// <summary>The probe answered: the module is on (no PWRKEY pulse).</summary>
        public static void Probe(AtTranscript at)
        {
            at.Expect("AT").Reply("OK");
        }

        /// <summary>Echo off, verbose errors, network time, character set.</summary>
        public static void Configure(AtTranscript at)
        {
            at.Expect("ATE0").Reply("OK");
            at.Expect("AT+CMEE=2").Reply("OK");
            at.Expect("AT+CLTS=1").Reply("OK");
            at.Expect("AT+CSCS=\"IRA\"").Reply("OK");
        }

        /// <summary>SIM ready, registered at home.</summary>
        public static void SimAndNetwork(AtTranscript at)
        {
            at.Expect("AT+CPIN?").Reply("+CPIN: READY", "OK");
            at.Expect("AT+CREG?").Reply("+CREG: 0,1", "OK");
        }

        /// <summary>What the driver asks once registered: network time, then signal.</summary>
        public static void Ready(AtTranscript at)
        {
            at.Expect("AT+CCLK?").Reply(ClockLine, "OK");
            at.Expect("AT+CSQ").Reply("+CSQ: 18,0", "OK");
        }

        /// <summary>A module that is already on, from the first probe to Ready.</summary>
        public static void Start(AtTranscript at)
        {
            Probe(at);
            Configure(at);
            SimAndNetwork(at);
            Ready(at);
        }

        /// <summary>The bench's AT+CSTT: APN, user and password, each quoted.</summary>
        public const string ApnCommand = "AT+CSTT=\"internet\",\"wap\",\"" + ModemBench.ApnPassword + "\"";

        /// <summary>GPRS bring-up in the driver's order, and a healthy module's answers.</summary>
        public static readonly string[] GprsCommands = { "AT+CIPSHUT", "AT+CIPMUX=0", "AT+CIPRXGET=1", "AT+CIPQSEND=1", ApnCommand, "AT+CIICR", "AT+CIFSR" };
        private static readonly string[] GprsAnswers = { "SHUT OK", "OK", "OK", "OK", "OK", "OK", "10.64.12.34" };

        /// <summary>GPRS bring-up with the bench's APN and credentials; returns its first step (AT+CIPSHUT).</summary>
        public static AtStep Gprs(AtTranscript at)
        {
            return GprsFrom(at, 0);
        }

        /// <summary>GPRS bring-up from its <paramref name="first"/>-th command on; returns that step.</summary>
        public static AtStep GprsFrom(AtTranscript at, int first)
        {
            AtStep start = null;
            for (int i = first; i < GprsCommands.Length; i++)
            {
                AtStep step = at.Expect(GprsCommands[i]).Reply(GprsAnswers[i]);
                if (start == null)
                {
                    start = step;
                }
            }
            return start;
        }

        /// <summary>
        /// GPRS bring-up up to the command that starts with <paramref name="failing"/>, which gets
        /// <paramref name="answer"/> instead (null: no answer at); returns that command's step, or null if none matched.
        /// </summary>
        public static AtStep GprsUntil(AtTranscript at, string failing, string answer)
        {
            for (int i = 0; i < GprsCommands.Length; i++)
            {
                if (GprsCommands[i].StartsWith(failing))
                {
                    AtStep step = at.Expect(GprsCommands[i]);
                    if (answer != null)
                    {
                        step.Reply(answer);
                    }
                    return step;
                }
                at.Expect(GprsCommands[i]).Reply(GprsAnswers[i]);
            }
            return null;
        }

        /// <summary>The TCP connection to <see cref="Host"/>:<see cref="Port"/>, and the read the driver does at once.</summary>
        public static void Connect(AtTranscript at)
        {
            at.Expect(StartCommand).Reply("OK", "CONNECT OK");
            EmptyRead(at);
        }

        /// <summary>AT+CIPSTART for <see cref="Host"/>:<see cref="Port"/>.</summary>
        public const string StartCommand = "AT+CIPSTART=\"TCP\",\"broker.example.net\",8883";

        /// <summary>A read of the module's receive buffer that finds nothing.</summary>
        public static void EmptyRead(AtTranscript at)
        {
            at.Expect("AT+CIPRXGET=3,500").Reply("+CIPRXGET: 3,0,0", "OK");
        }
    }
}
