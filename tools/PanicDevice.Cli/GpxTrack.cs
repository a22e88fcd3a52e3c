using System.Globalization;
using System.Xml.Linq;

namespace PanicDevice.Cli;

/// <summary>A GNSS track point: where, and seconds after the track's first point.</summary>
public sealed record TrackPoint(double Lat, double Lon, double AtS);

/// <summary>Reads the track points of a GPX 1.0/1.1 file (trkpt, or rtept/wpt when there is no track).</summary>
public static class GpxTrack
{
    public static List<TrackPoint> Read(string path, double secondsBetweenUntimedPoints = 5)
    {
        XDocument doc;
        try
        {
            doc = XDocument.Load(path);
        }
        catch (Exception e) when (e is IOException or System.Xml.XmlException or UnauthorizedAccessException)
        {
            throw new CliException("cannot read the GPX track " + path + ": " + e.Message);
        }
        var points = doc.Descendants().Where(e => e.Name.LocalName == "trkpt").ToList();
        if (points.Count == 0) points = doc.Descendants().Where(e => e.Name.LocalName is "rtept" or "wpt").ToList();
        if (points.Count == 0) throw new CliException("the GPX file " + path + " has no track points (trkpt)");
        var result = new List<TrackPoint>();
        DateTimeOffset? first = null;
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            if (!double.TryParse((string?)p.Attribute("lat"), NumberStyles.Float, CultureInfo.InvariantCulture, out double lat) || lat is < -90 or > 90
                || !double.TryParse((string?)p.Attribute("lon"), NumberStyles.Float, CultureInfo.InvariantCulture, out double lon) || lon is < -180 or > 180)
                throw new CliException("GPX point " + (i + 1) + " has no valid lat/lon");
            string? time = p.Elements().FirstOrDefault(e => e.Name.LocalName == "time")?.Value;
            double at = i * secondsBetweenUntimedPoints;
            if (time != null && DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
            {
                first ??= t;
                at = (t - first.Value).TotalSeconds;
            }
            result.Add(new TrackPoint(lat, lon, at));
        }
        return result;
    }
}
