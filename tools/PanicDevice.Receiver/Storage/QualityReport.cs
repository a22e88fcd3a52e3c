using System.Globalization;
using System.Text;

namespace PanicDevice.Receiver.Storage;

/// <summary>One operator's figures over a period: how many alerts they took and how fast (seconds from the alert's opening).</summary>
internal sealed record OperatorQuality(string Operator, int Acknowledged, double? MedianToAcknowledgeS, double? P90ToAcknowledgeS,
    int Assigned, double? MedianToAssignS, int Resolved, double? MedianToResolveS, int FalseAlarms, double? FalseAlarmRate);

/// <summary>One shift's figures: the alerts opened in it, how many are still open or escalated, how fast they were taken.</summary>
internal sealed record ShiftQuality(string ShiftStart, int Opened, int StillOpen, int Escalated, double? MedianToAcknowledgeS, double? MedianToResolveS,
    int FalseAlarms, double? FalseAlarmRate);

internal sealed record QualityView(string FromUtc, string ToUtc, int ShiftHours, string TimeZone, IReadOnlyList<OperatorQuality> Operators, IReadOnlyList<ShiftQuality> Shifts);

/// <summary>
/// Quality assurance for supervisors (Jakarta 112 rates its operators and units): per operator and per shift, the time
/// to acknowledge, assign and resolve, open and escalated counts and the false-alarm rate, over the alerts opened in a
/// period. Times run from the alert's opening to the first such action; an operator is credited with the actions
/// recorded under their name. Read-only, from the alerts and their timelines.
/// </summary>
internal sealed class QualityReport(ReceiverDatabase db)
{
    private sealed record Row(long Id, DateTime Opened, string State, bool Escalated, List<(string Event, DateTime At, string By)> Actions);

    public QualityView Build(DateTime fromUtc, DateTime toUtc, int shiftHours, TimeSpan offset)
    {
        var rows = new Dictionary<long, Row>();
        using (var c = db.Open())
        {
            using (var a = ReceiverDatabase.Command(c, null, "SELECT id, opened_utc, state, escalated_utc FROM alerts WHERE opened_utc >= @f AND opened_utc < @t ORDER BY id"))
            {
                a.With("@f", fromUtc.ToString("O"));
                a.With("@t", toUtc.ToString("O"));
                using var r = a.ExecuteReader();
                while (r.Read())
                {
                    rows[r.GetInt64(0)] = new Row(r.GetInt64(0), Utc(r.GetString(1)), r.GetString(2), !r.IsDBNull(3), new());
                }
            }
            using (var t = ReceiverDatabase.Command(c, null, """
                SELECT t.alert_id, t.event, t.at_utc, COALESCE(t.by_name, 'operator') FROM timeline t JOIN alerts a ON a.id = t.alert_id
                WHERE a.opened_utc >= @f AND a.opened_utc < @t AND t.event IN ('acknowledge', 'assign', 'resolve', 'false-alarm') ORDER BY t.id
                """))
            {
                t.With("@f", fromUtc.ToString("O"));
                t.With("@t", toUtc.ToString("O"));
                using var r = t.ExecuteReader();
                while (r.Read())
                {
                    if (rows.TryGetValue(r.GetInt64(0), out Row? row)) row.Actions.Add((r.GetString(1), Utc(r.GetString(2)), r.GetString(3)));
                }
            }
        }

        // Each alert's first action of each kind, and who took it.
        (string By, double S)? First(Row row, params string[] events) =>
            row.Actions.FirstOrDefault(x => events.Contains(x.Event)) is { Event: not null } x ? (x.By, (x.At - row.Opened).TotalSeconds) : null;

        var byOperator = new Dictionary<string, (List<double> Ack, List<double> Assign, List<double> Resolve, int False)>(StringComparer.Ordinal);
        (List<double>, List<double>, List<double>, int) For(string who) =>
            byOperator.TryGetValue(who, out var v) ? v : byOperator[who] = (new(), new(), new(), 0);
        foreach (Row row in rows.Values)
        {
            if (First(row, "acknowledge") is { } ack) For(ack.By).Item1.Add(ack.S);
            if (First(row, "assign") is { } assign) For(assign.By).Item2.Add(assign.S);
            if (First(row, "resolve", "false-alarm") is { } end)
            {
                var v = For(end.By);
                v.Item3.Add(end.S);
                if (row.Actions.First(x => x.Event is "resolve" or "false-alarm").Event == "false-alarm") byOperator[end.By] = (v.Item1, v.Item2, v.Item3, v.Item4 + 1);
            }
        }
        var operators = byOperator.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => new OperatorQuality(o.Key,
            o.Value.Ack.Count, Percentile(o.Value.Ack, 0.5), Percentile(o.Value.Ack, 0.9),
            o.Value.Assign.Count, Percentile(o.Value.Assign, 0.5),
            o.Value.Resolve.Count, Percentile(o.Value.Resolve, 0.5),
            o.Value.False, o.Value.Resolve.Count == 0 ? null : Math.Round((double)o.Value.False / o.Value.Resolve.Count, 3))).ToList();

        // Shifts of shiftHours from local midnight, by when the alert opened.
        var shifts = rows.Values.GroupBy(r =>
        {
            DateTime local = r.Opened + offset;
            DateTime start = local.Date.AddHours(Math.Floor(local.TimeOfDay.TotalHours / shiftHours) * shiftHours);
            return start;
        }).OrderBy(g => g.Key).Select(g =>
        {
            var closedBy = g.Select(r => r.Actions.FirstOrDefault(x => x.Event is "resolve" or "false-alarm")).Where(x => x.Event != null).ToList();
            int falseAlarms = closedBy.Count(x => x.Event == "false-alarm");
            return new ShiftQuality(new DateTimeOffset(DateTime.SpecifyKind(g.Key, DateTimeKind.Unspecified), offset).ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture), g.Count(),
                g.Count(r => AlertStates.IsOpen(r.State)), g.Count(r => r.Escalated),
                Percentile(g.Select(r => First(r, "acknowledge")?.S).OfType<double>().ToList(), 0.5),
                Percentile(g.Select(r => First(r, "resolve", "false-alarm")?.S).OfType<double>().ToList(), 0.5),
                falseAlarms, closedBy.Count == 0 ? null : Math.Round((double)falseAlarms / closedBy.Count, 3));
        }).ToList();
        string zone = UtcOffset.Format(offset);
        return new QualityView(fromUtc.ToString("O"), toUtc.ToString("O"), shiftHours, zone, operators, shifts);
    }

    /// <summary>The report as CSV (RFC 4180): the operators' rows, then the shifts', each block with its header.</summary>
    public static string Csv(QualityView q)
    {
        var sb = new StringBuilder();
        sb.Append("operator,acknowledged,median_to_acknowledge_s,p90_to_acknowledge_s,assigned,median_to_assign_s,resolved,median_to_resolve_s,false_alarms,false_alarm_rate\r\n");
        foreach (OperatorQuality o in q.Operators)
        {
            sb.Append(Field(o.Operator)).Append(',').Append(o.Acknowledged).Append(',').Append(N(o.MedianToAcknowledgeS)).Append(',').Append(N(o.P90ToAcknowledgeS)).Append(',')
              .Append(o.Assigned).Append(',').Append(N(o.MedianToAssignS)).Append(',').Append(o.Resolved).Append(',').Append(N(o.MedianToResolveS)).Append(',')
              .Append(o.FalseAlarms).Append(',').Append(N(o.FalseAlarmRate)).Append("\r\n");
        }
        sb.Append("\r\nshift_start,opened,still_open,escalated,median_to_acknowledge_s,median_to_resolve_s,false_alarms,false_alarm_rate\r\n");
        foreach (ShiftQuality s in q.Shifts)
        {
            sb.Append(s.ShiftStart).Append(',').Append(s.Opened).Append(',').Append(s.StillOpen).Append(',').Append(s.Escalated).Append(',')
              .Append(N(s.MedianToAcknowledgeS)).Append(',').Append(N(s.MedianToResolveS)).Append(',').Append(s.FalseAlarms).Append(',').Append(N(s.FalseAlarmRate)).Append("\r\n");
        }
        return sb.ToString();
    }

    // A name is the operator's own typing: quoted when it could break the row, and never read as a formula by a spreadsheet.
    private static string Field(string v)
    {
        if (v.Length > 0 && v[0] is '=' or '+' or '-' or '@') v = "'" + v;
        return v.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 ? "\"" + v.Replace("\"", "\"\"") + "\"" : v;
    }

    private static string N(double? v) => v?.ToString("0.###", CultureInfo.InvariantCulture) ?? "";

    private static double? Percentile(List<double> values, double q)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return Math.Round(values[Math.Clamp((int)Math.Ceiling(q * values.Count) - 1, 0, values.Count - 1)], 1);
    }

    private static DateTime Utc(string iso) => DateTime.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}

/// <summary>The period, shift length and time zone of a quality report, from the query string, with a reason when one is wrong.</summary>
internal sealed record QualityPeriod(DateTime FromUtc, DateTime ToUtc, int ShiftHours, TimeSpan Offset)
{
    public static readonly TimeSpan Longest = TimeSpan.FromDays(92);

    /// <summary>Defaults: the last 24 hours, 8-hour shifts, UTC.</summary>
    public static bool TryParse(string? from, string? to, int? shiftHours, string? tz, DateTime nowUtc, out QualityPeriod? period, out string? problem)
    {
        period = null;
        problem = null;
        tz = tz?.Replace(' ', '+'); // an unencoded "+07:00" in a query string arrives as " 07:00"
        DateTime end = nowUtc, start = nowUtc.AddDays(-1);
        if (to != null && !DateTime.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out end))
        {
            problem = "to must be a date and time, e.g. 2026-12-04T00:00:00Z";
            return false;
        }
        if (from != null && !DateTime.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out start))
        {
            problem = "from must be a date and time, e.g. 2026-12-03T00:00:00Z";
            return false;
        }
        if (from == null && to != null)
        {
            start = end.AddDays(-1);
        }
        if (start >= end || end - start > Longest)
        {
            problem = "from must be before to, at most 92 days apart";
            return false;
        }
        int hours = shiftHours ?? 8;
        if (hours is < 1 or > 24 || 24 % hours != 0)
        {
            problem = "shiftHours divides the day: 1, 2, 3, 4, 6, 8, 12 or 24";
            return false;
        }
        TimeSpan offset = TimeSpan.Zero;
        if (tz != null && !UtcOffset.TryParse(tz, out offset))
        {
            problem = "tz is a UTC offset, e.g. +07:00";
            return false;
        }
        period = new QualityPeriod(start, end, hours, offset);
        return true;
    }
}
