using PanicDevice.Core.Location;

namespace PanicDevice.Core.Modem
{
    /// <summary>
    /// What the network says about where and when the device is: signal (AT+CSQ, polled), the network clock (AT+CCLK?,
    /// once per module start) and, when asked, a cell-based position (AT+CIPGSMLOC over its own SAPBR bearer, once GPRS
    /// is up). Lowest in the modem's priority: none of it may delay an alert's SMS or frame.
    /// </summary>
    internal class Sim800CellInfo : ISim800Part
    {
        private enum CellOp
        {
            None, Signal, Clock, BearerType, BearerApn, BearerOpen, Locate,
        }

        private readonly Sim800Modem owner;
        private readonly AtCommandChannel channel;
        private readonly Sim800Settings settings;
        private CellOp op = CellOp.None;
        private long nextSignalMs;
        private bool clockAsked;
        private bool locationWanted;
        private bool bearerUp;
        private int bearerStep;
        private long networkTimeAtMs;

        public Sim800CellInfo(Sim800Modem owner, AtCommandChannel channel, Sim800Settings settings)
        {
            this.owner = owner;
            this.channel = channel;
            this.settings = settings;
            NetworkUtcSeconds = -1;
        }

        /// <summary>Signal strength in dBm from the last AT+CSQ (0 = unknown).</summary>
        public int SignalDbm { get; private set; }

        /// <summary>Network time in UTC seconds when last read, or -1.</summary>
        public long NetworkUtcSeconds { get; private set; }

        /// <summary>The last cell-based position, or null.</summary>
        public LocationFix CellFix { get; private set; }

        /// <summary>UTC seconds now, from the network clock; 0 when unknown.</summary>
        public uint UtcSeconds(long now)
        {
            if (NetworkUtcSeconds < 0)
            {
                return 0;
            }
            return (uint)(NetworkUtcSeconds + (now - networkTimeAtMs) / 1000);
        }

        /// <summary>Asks for a cell-based position when the settings allow it.</summary>
        public void RequestLocation()
        {
            locationWanted = settings.CellLocation;
        }

        /// <summary>Registered: the signal is read at once, then every SignalPollMs.</summary>
        public void OnRegistered(long now)
        {
            nextSignalMs = now;
        }

        /// <summary>GPRS went down or came up afresh: the SAPBR bearer has to be opened again before the next position.</summary>
        public void OnBearerLost()
        {
            bearerUp = false;
        }

        public bool StartWork(long now)
        {
            if (locationWanted && owner.GprsUp)
            {
                if (!bearerUp)
                {
                    NextBearerStep();
                    return true;
                }
                locationWanted = false;
                Run(CellOp.Locate, "AT+CIPGSMLOC=1,1", Sim800Timeouts.CellLocationMs);
                return true;
            }
            if (!clockAsked)
            {
                clockAsked = true;
                Run(CellOp.Clock, "AT+CCLK?", Sim800Timeouts.SimpleMs);
                return true;
            }
            if (now >= nextSignalMs)
            {
                nextSignalMs = now + settings.SignalPollMs;
                Run(CellOp.Signal, "AT+CSQ", Sim800Timeouts.SimpleMs);
                return true;
            }
            return false;
        }

        private void NextBearerStep()
        {
            switch (bearerStep)
            {
                case 0:
                    Run(CellOp.BearerType, "AT+SAPBR=3,1,\"Contype\",\"GPRS\"", Sim800Timeouts.SimpleMs);
                    return;
                case 1:
                    Run(CellOp.BearerApn, "AT+SAPBR=3,1,\"APN\",\"" + settings.Apn + "\"", Sim800Timeouts.SimpleMs);
                    return;
                default:
                    Run(CellOp.BearerOpen, "AT+SAPBR=1,1", Sim800Timeouts.BearerMs);
                    return;
            }
        }

        private void Run(CellOp what, string command, int timeoutMs)
        {
            op = what;
            owner.Run(this, command, timeoutMs);
        }

        public void Finish(long now)
        {
            CellOp finished = op;
            op = CellOp.None;
            AtCommandStatus status = channel.Status;
            if (status == AtCommandStatus.TimedOut)
            {
                return; // nothing of this part's is left half-done; the modem probes the module
            }
            bool ok = status == AtCommandStatus.Ok;
            switch (finished)
            {
                case CellOp.Signal:
                    string csq = channel.LineStartingWith("+CSQ:");
                    SignalDbm = ok && csq != null ? Sim800Replies.SignalDbm(csq) : 0;
                    return;
                case CellOp.Clock:
                    string cclk = channel.LineStartingWith("+CCLK:");
                    long utc = ok && cclk != null ? Sim800Replies.ClockUtcSeconds(cclk) : -1;
                    if (utc > 0)
                    {
                        NetworkUtcSeconds = utc;
                        networkTimeAtMs = now;
                    }
                    return;
                case CellOp.BearerType:
                case CellOp.BearerApn:
                case CellOp.BearerOpen:
                    // SAPBR=1,1 answers ERROR when the bearer is already open; CIPGSMLOC tells the truth either way.
                    bearerStep++;
                    if (finished == CellOp.BearerOpen)
                    {
                        bearerUp = true;
                        bearerStep = 0;
                    }
                    return;
                case CellOp.Locate:
                    string loc = channel.LineStartingWith("+CIPGSMLOC:");
                    LocationFix fix = ok && loc != null ? Sim800Replies.CellLocation(loc, now) : null;
                    if (fix != null)
                    {
                        CellFix = fix;
                    }
                    else
                    {
                        owner.LastError = "cell location unavailable";
                    }
                    return;
            }
        }

        public bool OnUnsolicited(string line, long now)
        {
            return false;
        }

        public void OnModuleRestarted()
        {
            op = CellOp.None;
            bearerUp = false;
            clockAsked = false;
        }
    }
}
