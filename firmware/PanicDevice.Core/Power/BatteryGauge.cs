using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Power
{
    /// <summary>
    /// Battery state from the ADC: the battery sits behind a resistor divider on an ADC1 pin (ADC2 is unusable
    /// while Wi-Fi runs), the firmware feeds readings as a fraction of full scale, and this turns the mean of
    /// the last <see cref="Window"/> readings into millivolts and a state of charge from a single-cell Li-ion
    /// rest-voltage curve. Readings taken during a SIM800 transmit burst sag by up to a few hundred mV, so the
    /// firmware samples between bursts and the window smooths what is left; the low flag has hysteresis so a
    /// sag cannot make it flap.
    /// </summary>
    public class BatteryGauge
    {
        /// <summary>Readings averaged.</summary>
        public const int Window = 8;

        /// <summary>Points cleared above the low threshold before the low flag clears.</summary>
        public const int LowHysteresisPercent = 5;

        // Single-cell Li-ion (LiCoO2/NMC) open-circuit voltage against state of charge, 4.20 V full, 3.30 V empty:
        // the usual manufacturer curve, coarse on purpose; a gauge chip would do better, a panic button needs "low" right.
        private static readonly int[] CurveMv = new int[] { 3300, 3610, 3690, 3710, 3730, 3750, 3770, 3790, 3800, 3820, 3840, 3850, 3870, 3910, 3950, 3980, 4020, 4080, 4110, 4150, 4200 };
        private static readonly int[] CurvePercent = new int[] { 0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100 };

        private readonly int fullScaleMv;
        private readonly int dividerTimes1000;
        private readonly int lowPercent;
        private readonly int[] samplesMv = new int[Window];
        private int count;
        private int next;
        private bool low;

        /// <summary>Readings refused (outside 0..1, or a battery voltage no cell can have).</summary>
        public int Rejected;

        /// <summary>
        /// <paramref name="fullScaleMv"/>: the ADC pin voltage at a reading of 1.0 (about 3,100 mV on the ESP32 at
        /// 11 dB attenuation; calibrate per board); <paramref name="dividerTimes1000"/>: battery voltage over pin
        /// voltage, times 1,000 (2,000 for two equal resistors); <paramref name="lowPercent"/>: the low threshold.
        /// </summary>
        public BatteryGauge(int fullScaleMv, int dividerTimes1000, int lowPercent)
        {
            this.fullScaleMv = fullScaleMv;
            this.dividerTimes1000 = dividerTimes1000;
            this.lowPercent = lowPercent;
        }

        /// <summary>The board's gauge: 2× 470 kΩ divider on GPIO35 (hardware/pinmap.json), 3,100 mV full scale, low at 20 %.</summary>
        public static BatteryGauge ForBoard()
        {
            return new BatteryGauge(3100, 2000, 20);
        }

        /// <summary>Adds one reading, as a fraction of ADC full scale (AdcChannel.ReadRatio()).</summary>
        public void AddReading(double ratio)
        {
            // NaN fails both comparisons, so it is refused too.
            if (!(ratio >= 0.0 && ratio <= 1.0))
            {
                Rejected++;
                return;
            }
            long mv = (long)(ratio * fullScaleMv * dividerTimes1000 / 1000.0 + 0.5);
            if (mv < 2000 || mv > 4500)
            {
                // A floating pin, a broken divider or no battery at all: not a reading of a cell.
                Rejected++;
                return;
            }
            samplesMv[next] = (int)mv;
            next = (next + 1) % Window;
            if (count < Window)
            {
                count++;
            }
            UpdateLow();
        }

        /// <summary>Mean battery voltage of the last readings in mV, or -1 before the first.</summary>
        public int Millivolts
        {
            get
            {
                if (count == 0)
                {
                    return -1;
                }
                long sum = 0;
                for (int i = 0; i < count; i++)
                {
                    sum += samplesMv[i];
                }
                return (int)(sum / count);
            }
        }

        /// <summary>State of charge 0–100, or <see cref="Frame.UnknownBattery"/> before the first reading.</summary>
        public byte Percent
        {
            get
            {
                int mv = Millivolts;
                return mv < 0 ? Frame.UnknownBattery : PercentOf(mv);
            }
        }

        /// <summary>True at or below the low threshold, until it is <see cref="LowHysteresisPercent"/> above it again.</summary>
        public bool Low
        {
            get { return low; }
        }

        /// <summary>State of charge of a rest voltage, interpolated on the Li-ion curve and clamped to 0–100.</summary>
        public static byte PercentOf(int mv)
        {
            if (mv <= CurveMv[0])
            {
                return 0;
            }
            int last = CurveMv.Length - 1;
            if (mv >= CurveMv[last])
            {
                return 100;
            }
            int i = 1;
            while (mv > CurveMv[i])
            {
                i++;
            }
            int spanMv = CurveMv[i] - CurveMv[i - 1];
            int spanPercent = CurvePercent[i] - CurvePercent[i - 1];
            return (byte)(CurvePercent[i - 1] + ((mv - CurveMv[i - 1]) * spanPercent + spanMv / 2) / spanMv);
        }

        private void UpdateLow()
        {
            int percent = PercentOf(Millivolts);
            if (percent <= lowPercent)
            {
                low = true;
            }
            else if (percent > lowPercent + LowHysteresisPercent)
            {
                low = false;
            }
        }
    }
}
