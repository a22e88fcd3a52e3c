using System.Data.Common;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Responders;

/// <summary>A patrol unit as the dashboard sees it.</summary>
internal sealed record ResponderView(string Id, string Name, double Lat, double Lon, bool Available, string UpdatedUtc, long AgeS);

/// <summary>A responder with its distance to an alert.</summary>
internal sealed record ResponderSuggestion(string Id, string Name, double Lat, double Lon, double DistanceKm, long AgeS);

/// <summary>The body a patrol unit sends with its position.</summary>
internal sealed record ResponderReport(string? Name, double? Lat, double? Lon, bool? Available);

/// <summary>
/// Patrol units and their last reported positions (same store as the alerts; the table is in ReceiverDatabase's schema), and the nearest
/// available ones to a point. A position older than <see cref="StaleAfter"/> is not suggested: a unit
/// that stopped reporting may be anywhere.
/// </summary>
internal sealed class ResponderBook
{
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(10);

    private readonly ReceiverDatabase db;
    private readonly TimeProvider time;

    public ResponderBook(ReceiverDatabase db, TimeProvider time)
    {
        this.db = db;
        this.time = time;
    }

    /// <summary>The first problem with a report, or null.</summary>
    public static string? Validate(string id, ResponderReport r)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64 || id.Any(ch => !(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_')))
            return "responder id must be 1-64 letters, digits, '-' or '_'";
        if (r.Lat is not (>= -90 and <= 90) || r.Lon is not (>= -180 and <= 180))
            return "lat must be -90..90 and lon -180..180 (decimal degrees)";
        if (r.Name is { Length: > 100 })
            return "name must be at most 100 characters";
        return null;
    }

    public ResponderView Report(string id, ResponderReport r)
    {
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = """
            INSERT INTO responders (id, name, lat, lon, available, updated_unix) VALUES (@id, @name, @lat, @lon, @av, @now)
            ON CONFLICT(id) DO UPDATE SET name = COALESCE(@nameOrNull, name), lat = @lat, lon = @lon,
                available = COALESCE(@avOrNull, available), updated_unix = @now
            """;
        cmd.With("@id", id);
        cmd.With("@name", r.Name ?? id);
        cmd.With("@nameOrNull", (object?)r.Name ?? DBNull.Value);
        cmd.With("@lat", r.Lat!.Value);
        cmd.With("@lon", r.Lon!.Value);
        cmd.With("@av", r.Available ?? true ? 1 : 0);
        cmd.With("@avOrNull", r.Available is { } a ? (a ? 1 : 0) : DBNull.Value);
        cmd.With("@now", now);
        cmd.ExecuteNonQuery();
        return All().Single(v => v.Id == id);
    }

    public IReadOnlyList<ResponderView> All()
    {
        long now = time.GetUtcNow().ToUnixTimeSeconds();
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT id, name, lat, lon, available, updated_unix FROM responders ORDER BY id";
        using var r = cmd.ExecuteReader();
        var list = new List<ResponderView>();
        while (r.Read())
        {
            long updated = r.GetInt64(5);
            list.Add(new ResponderView(r.GetString(0), r.GetString(1), r.GetDouble(2), r.GetDouble(3), r.GetInt32(4) != 0,
                DateTimeOffset.FromUnixTimeSeconds(updated).ToString("yyyy-MM-ddTHH:mm:ssZ"), Math.Max(0, now - updated)));
        }
        return list;
    }

    /// <summary>Available units with a fresh position, nearest first.</summary>
    public IReadOnlyList<ResponderSuggestion> Nearest(double lat, double lon, int limit) =>
        All().Where(v => v.Available && v.AgeS <= StaleAfter.TotalSeconds)
            .Select(v => new ResponderSuggestion(v.Id, v.Name, v.Lat, v.Lon, Math.Round(GreatCircle.DistanceKm(lat, lon, v.Lat, v.Lon), 3), v.AgeS))
            .OrderBy(s => s.DistanceKm).ThenBy(s => s.Id, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
}
