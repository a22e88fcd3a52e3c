using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Location
{
    /// <summary>
    /// Turns a GNSS library reading (degrees as doubles, a dilution of precision) into Core's
    /// <see cref="LocationFix"/>. The GnssDevice library reports HDOP or PDOP in its Accuracy field, not
    /// metres, so metres are estimated conservatively as DOP × <see cref="MetresPerDop"/>.
    /// </summary>
    public static class GnssFixConverter
    {
        /// <summary>
        /// Metres of horizontal error per unit of DOP: twice a typical 5 m user range error of a consumer
        /// receiver (about a 95 % radius), rounded up, because a responder sent to a too-small circle is worse
        /// than one sent to a too-large one.
        /// </summary>
        public const int MetresPerDop = 10;
        /// <summary>Never claim better than this, whatever the DOP says.</summary>
        public const int MinimumAccuracyM = 10;
        /// <summary>A DOP above this is geometry too poor to trust (receivers report 99.99 for "none").</summary>
        public const double MaxUsableDop = 20.0;

        /// <summary>
        /// The fix, or null when the reading is not a position: no 2D/3D fix, a DOP that is missing or too poor,
        /// coordinates out of range, or exactly 0,0 (what the library holds before the first fix).
        /// </summary>
        public static LocationFix ToFix(bool hasFix, double latitudeDeg, double longitudeDeg, double dop, long atMs)
        {
            if (!hasFix || !(dop > 0) || dop > MaxUsableDop)
            {
                return null;
            }
            if (!(latitudeDeg >= -90 && latitudeDeg <= 90) || !(longitudeDeg >= -180 && longitudeDeg <= 180))
            {
                return null;
            }
            if (latitudeDeg == 0 && longitudeDeg == 0)
            {
                return null;
            }
            LocationFix fix = new LocationFix();
            fix.LatitudeE7 = ToE7(latitudeDeg);
            fix.LongitudeE7 = ToE7(longitudeDeg);
            fix.AccuracyM = AccuracyMetres(dop);
            fix.FixAtMs = atMs;
            fix.Source = LocationSource.Gnss;
            return fix;
        }

        /// <summary>DOP to a conservative radius in whole metres (rounded up).</summary>
        public static int AccuracyMetres(double dop)
        {
            double m = dop * MetresPerDop;
            int whole = (int)m;
            if (whole < m)
            {
                whole++;
            }
            return whole < MinimumAccuracyM ? MinimumAccuracyM : whole;
        }

        /// <summary>Degrees to 1e-7 degrees, rounded half away from zero (System.Math is not needed).</summary>
        public static int ToE7(double degrees)
        {
            double scaled = degrees * 10000000.0;
            return (int)(scaled >= 0 ? scaled + 0.5 : scaled - 0.5);
        }
    }
}
