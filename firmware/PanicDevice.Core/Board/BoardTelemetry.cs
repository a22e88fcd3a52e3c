using PanicDevice.Core.Delivery;
using PanicDevice.Core.Modem;
using PanicDevice.Core.Power;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Time;

namespace PanicDevice.Core.Board
{
    /// <summary>
    /// What every frame says about the device: battery (ADC through <see cref="BatteryGauge"/>), external
    /// power and tamper (sense pins), signal and time (the modem). <see cref="Poll"/> samples the battery at
    /// an interval and reports when power or tamper changed, so the device can tell the receiver at once
    /// instead of at the next heartbeat: a wall unit pried off the wall or cut from mains is news.
    /// </summary>
    public class BoardTelemetry : IDeviceTelemetry
    {
        /// <summary>Battery readings are taken this often (the window of 8 then spans 80 s).</summary>
        public const int SampleIntervalMs = 10000;

        private readonly IBoardSensors sensors;
        private readonly BatteryGauge gauge;
        private readonly INetworkStatus network;
        private readonly IClock clock;
        private long nextSampleMs = -1;
        private byte lastReportedFlags;
        private bool polled;

        /// <summary>Reads <paramref name="sensors"/> through <paramref name="gauge"/>; signal and time from <paramref name="network"/>.</summary>
        public BoardTelemetry(IBoardSensors sensors, BatteryGauge gauge, INetworkStatus network, IClock clock)
        {
            this.sensors = sensors;
            this.gauge = gauge;
            this.network = network;
            this.clock = clock;
        }

        /// <summary>The gauge, for diagnostics.</summary>
        public BatteryGauge Gauge
        {
            get { return gauge; }
        }

        /// <summary>
        /// Samples the battery when due; true when external power, tamper or the low-battery flag changed since the
        /// last Poll that returned true (the first Poll only records the state, unless it already shows tamper).
        /// </summary>
        public bool Poll(long nowMs)
        {
            if (nextSampleMs < 0 || nowMs >= nextSampleMs)
            {
                double ratio = sensors.ReadBatteryRatio();
                if (ratio >= 0.0)
                {
                    gauge.AddReading(ratio);
                }
                nextSampleMs = nowMs + SampleIntervalMs;
            }
            byte flags = Flags;
            if (!polled)
            {
                polled = true;
                lastReportedFlags = flags;
                return (flags & FrameFlags.Tamper) != 0;
            }
            if (flags != lastReportedFlags)
            {
                lastReportedFlags = flags;
                return true;
            }
            return false;
        }

        /// <summary>When the next battery reading is due.</summary>
        public long NextSampleMs
        {
            get { return nextSampleMs; }
        }

        /// <summary>0–100, or Frame.UnknownBattery before the first good reading or on a board without battery sense.</summary>
        public byte BatteryPercent
        {
            get { return gauge.Percent; }
        }

        /// <summary>Signal in dBm, clamped to a signed byte; 0 when unknown.</summary>
        public sbyte SignalDbm
        {
            get
            {
                int dbm = network.SignalDbm;
                return (sbyte)(dbm < -128 ? -128 : dbm > 127 ? 127 : dbm);
            }
        }

        /// <summary>ExternalPower, LowBattery and Tamper as the sense inputs show them now.</summary>
        public byte Flags
        {
            get
            {
                byte flags = 0;
                if (sensors.ExternalPower)
                {
                    flags |= FrameFlags.ExternalPower;
                }
                if (gauge.Low)
                {
                    flags |= FrameFlags.LowBattery;
                }
                if (sensors.TamperOpen)
                {
                    flags |= FrameFlags.Tamper;
                }
                return flags;
            }
        }

        /// <summary>UTC seconds from the network clock, 0 while unknown.</summary>
        public uint UtcSeconds
        {
            get { return network.UtcSeconds(clock.NowMs); }
        }
    }
}
