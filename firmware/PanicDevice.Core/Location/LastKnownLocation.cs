namespace PanicDevice.Core.Location
{
    /// <summary>
    /// The location policy: keeps the latest fix from each source (GNSS, the modem's cell estimate) and
    /// the installed address, and offers the one that is most likely right now. A fix's uncertainty
    /// grows with its age at walking pace, so a fresh 500 m cell estimate beats a 10 m GNSS fix from
    /// five minutes ago. A fixed address never ages. Never waits for a new fix.
    /// </summary>
    public class LastKnownLocation : ILocationProvider
    {
        /// <summary>How fast a person may have moved since a fix: 2 m/s, a brisk walk.</summary>
        public const int DriftMetresPerSecond = 2;

        private LocationFix gnss;
        private LocationFix cell;
        private readonly LocationFix fixedAddress;

        /// <summary>Creates the policy; <paramref name="fixedAddress"/> is the installed position of a wall unit, or null.</summary>
        public LastKnownLocation(LocationFix fixedAddress)
        {
            this.fixedAddress = fixedAddress;
        }

        /// <summary>Records a new fix from the GNSS receiver or the modem (its Source says which).</summary>
        public void Update(LocationFix fix)
        {
            if (fix == null)
            {
                return;
            }
            if (fix.Source == PanicDevice.Core.Protocol.LocationSource.Gnss)
            {
                gnss = fix;
            }
            else if (fix.Source == PanicDevice.Core.Protocol.LocationSource.Cell)
            {
                cell = fix;
            }
        }

        /// <summary>The fix with the smallest uncertainty now, or null when there has never been one.</summary>
        public LocationFix LastKnown(long nowMs)
        {
            LocationFix best = null;
            long bestUncertainty = 0;
            LocationFix[] candidates = new LocationFix[] { gnss, cell, fixedAddress };
            for (int i = 0; i < candidates.Length; i++)
            {
                LocationFix f = candidates[i];
                if (f == null)
                {
                    continue;
                }
                long u = Uncertainty(f, nowMs);
                if (best == null || u < bestUncertainty)
                {
                    best = f;
                    bestUncertainty = u;
                }
            }
            return best;
        }

        /// <summary>Accuracy plus how far the person could have walked since the fix, in metres.</summary>
        public static long Uncertainty(LocationFix fix, long nowMs)
        {
            if (fix.Source == PanicDevice.Core.Protocol.LocationSource.FixedAddress)
            {
                return fix.AccuracyM;
            }
            long ageS = (nowMs - fix.FixAtMs) / 1000;
            if (ageS < 0)
            {
                ageS = 0;
            }
            return fix.AccuracyM + ageS * DriftMetresPerSecond;
        }
    }
}
