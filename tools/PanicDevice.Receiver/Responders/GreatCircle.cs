namespace PanicDevice.Receiver.Responders;

/// <summary>Distances on the Earth's surface (haversine, mean radius), good to about 0.5 % — plenty to rank patrol units.</summary>
internal static class GreatCircle
{
    /// <summary>IUGG mean Earth radius.</summary>
    public const double EarthRadiusKm = 6371.0088;

    public static double DistanceKm(double lat1, double lon1, double lat2, double lon2)
    {
        double p1 = ToRadians(lat1), p2 = ToRadians(lat2);
        double dp = p2 - p1, dl = ToRadians(lon2 - lon1);
        double h = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        // Clamped: rounding can push h a hair above 1 for antipodal points, and Asin would return NaN.
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(Math.Min(1, h)));
    }

    private static double ToRadians(double degrees) => degrees * Math.PI / 180;
}
