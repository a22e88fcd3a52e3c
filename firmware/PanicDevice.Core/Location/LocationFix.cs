using PanicDevice.Core.Protocol;

namespace PanicDevice.Core.Location
{
    /// <summary>A position and when it was measured, in Core's integer units.</summary>
    public class LocationFix
    {
        /// <summary>Latitude in 1e-7 degrees.</summary>
        public int LatitudeE7;
        /// <summary>Longitude in 1e-7 degrees.</summary>
        public int LongitudeE7;
        /// <summary>Horizontal accuracy radius in metres.</summary>
        public int AccuracyM;
        /// <summary>Monotonic time of the measurement (same clock as every other nowMs).</summary>
        public long FixAtMs;
        /// <summary>GNSS, cell or fixed address.</summary>
        public LocationSource Source;
    }

    /// <summary>Gives the best position known right now, without waiting for a new one.</summary>
    public interface ILocationProvider
    {
        /// <summary>The last known fix, or null when the device has never had one.</summary>
        LocationFix LastKnown(long nowMs);
    }

    /// <summary>Puts a fix into a frame: the alert never waits for a fix and never drops for lack of one.</summary>
    public static class LocationStamp
    {
        /// <summary>Fills the frame's position fields from the fix (or marks the position unknown).</summary>
        public static void Apply(Frame frame, LocationFix fix, long nowMs)
        {
            if (fix == null || fix.Source == LocationSource.None)
            {
                frame.Source = LocationSource.None;
                frame.LatitudeE7 = 0;
                frame.LongitudeE7 = 0;
                frame.AccuracyM = Frame.Unknown16;
                frame.FixAgeS = Frame.Unknown16;
                return;
            }
            frame.Source = fix.Source;
            frame.LatitudeE7 = fix.LatitudeE7;
            frame.LongitudeE7 = fix.LongitudeE7;
            frame.AccuracyM = fix.AccuracyM < 0 || fix.AccuracyM >= Frame.Unknown16 ? Frame.Unknown16 : (ushort)fix.AccuracyM;
            // An installed address is where the unit is now; it has no measurement time to age from.
            long ageS = fix.Source == LocationSource.FixedAddress ? 0 : (nowMs - fix.FixAtMs) / 1000;
            if (ageS < 0)
            {
                ageS = 0;
            }
            frame.FixAgeS = ageS >= Frame.Unknown16 ? Frame.Unknown16 : (ushort)ageS;
        }
    }
}
