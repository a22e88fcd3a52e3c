using System.Globalization;
using System.Text.Json;

namespace PanicDevice.Receiver.Dispatch.Routing;

/// <summary>
/// An area read from a GeoJSON file (RFC 7946): the Polygons and MultiPolygons of a geometry, a Feature or a
/// FeatureCollection. A point is inside when it is inside an outer ring and in none of that polygon's holes (even-odd
/// rule on longitude/latitude; fine for districts and police sectors, which are small and far from the poles and the
/// antimeridian).
/// </summary>
internal sealed class GeoJsonArea
{
    // Each polygon: its rings as (lon, lat) pairs, the outer ring first.
    private readonly List<List<(double Lon, double Lat)[]>> polygons;

    private GeoJsonArea(List<List<(double Lon, double Lat)[]>> polygons) => this.polygons = polygons;

    public int PolygonCount => polygons.Count;

    /// <summary>Reads an area; a clear <see cref="FormatException"/> naming what is wrong when the file is not one.</summary>
    public static GeoJsonArea Parse(string json)
    {
        var polygons = new List<List<(double, double)[]>>();
        using JsonDocument doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
        Collect(doc.RootElement, polygons);
        if (polygons.Count == 0)
        {
            throw new FormatException("no Polygon or MultiPolygon in it");
        }
        return new GeoJsonArea(polygons);
    }

    public bool Contains(double lat, double lon)
    {
        foreach (var rings in polygons)
        {
            if (!Inside(rings[0], lat, lon))
            {
                continue;
            }
            bool inHole = false;
            for (int h = 1; h < rings.Count && !inHole; h++)
            {
                inHole = Inside(rings[h], lat, lon);
            }
            if (!inHole)
            {
                return true;
            }
        }
        return false;
    }

    private static bool Inside((double Lon, double Lat)[] ring, double lat, double lon)
    {
        bool inside = false;
        for (int i = 0, j = ring.Length - 1; i < ring.Length; j = i++)
        {
            var (xi, yi) = ring[i];
            var (xj, yj) = ring[j];
            if ((yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi)
            {
                inside = !inside;
            }
        }
        return inside;
    }

    private static void Collect(JsonElement e, List<List<(double, double)[]>> polygons)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("a GeoJSON object needs a \"type\"");
        }
        switch (type.GetString())
        {
            case "FeatureCollection":
                foreach (JsonElement f in Member(e, "features", JsonValueKind.Array).EnumerateArray()) Collect(f, polygons);
                break;
            case "Feature":
                if (e.TryGetProperty("geometry", out JsonElement g) && g.ValueKind == JsonValueKind.Object) Collect(g, polygons);
                break;
            case "GeometryCollection":
                foreach (JsonElement part in Member(e, "geometries", JsonValueKind.Array).EnumerateArray()) Collect(part, polygons);
                break;
            case "Polygon":
                polygons.Add(Rings(Member(e, "coordinates", JsonValueKind.Array)));
                break;
            case "MultiPolygon":
                foreach (JsonElement p in Member(e, "coordinates", JsonValueKind.Array).EnumerateArray()) polygons.Add(Rings(p));
                break;
            // Points and lines enclose nothing: an area file may carry labels beside its polygons.
        }
    }

    private static JsonElement Member(JsonElement e, string name, JsonValueKind kind) =>
        e.TryGetProperty(name, out JsonElement m) && m.ValueKind == kind ? m : throw new FormatException("\"" + name + "\" is missing or not an " + kind.ToString().ToLowerInvariant());

    private static List<(double, double)[]> Rings(JsonElement polygon)
    {
        if (polygon.ValueKind != JsonValueKind.Array || polygon.GetArrayLength() == 0)
        {
            throw new FormatException("a polygon needs at least its outer ring");
        }
        var rings = new List<(double, double)[]>();
        foreach (JsonElement ring in polygon.EnumerateArray())
        {
            if (ring.ValueKind != JsonValueKind.Array || ring.GetArrayLength() < 4)
            {
                throw new FormatException("a polygon ring needs at least 4 positions (closed)");
            }
            var points = new List<(double, double)>();
            foreach (JsonElement p in ring.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() < 2 || !p[0].TryGetDouble(out double lon) || !p[1].TryGetDouble(out double lat)
                    || lon is < -180 or > 180 || lat is < -90 or > 90)
                {
                    throw new FormatException("a position is [longitude, latitude] in degrees, not " + p.GetRawText());
                }
                points.Add((lon, lat));
            }
            rings.Add(points.ToArray());
        }
        return rings;
    }

    public override string ToString() => PolygonCount.ToString(CultureInfo.InvariantCulture) + " polygon(s)";
}
