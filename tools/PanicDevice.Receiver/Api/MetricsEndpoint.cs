using System.Text;
using PanicDevice.Receiver.Mqtt;
using PanicDevice.Receiver.Pipeline;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Api;

/// <summary>
/// GET /metrics, public (no token): counters and gauges in Prometheus' text format, with no secrets and no device data
/// (webhook targets are labelled by position and host, never by URL). docs/security.md lists what is public.
/// </summary>
internal static class MetricsEndpoint
{
    public static void Map(IEndpointRouteBuilder app, IngestPipeline pipeline, AlertBook alerts, CounterEventBook counterEvents,
        Dispatch.QueueDispatcher webhooks, Supervision.SupervisionMonitor supervision, ExternalBrokerClient? external, EmbeddedBroker? embedded)
    {
        app.MapGet("/metrics", () => Results.Text(Render(pipeline, alerts, counterEvents, webhooks, supervision, external, embedded), "text/plain; version=0.0.4")).AllowAnonymous();
    }

    /// <summary>The text the endpoint serves (Prometheus text format 0.0.4).</summary>
    public static string Render(IngestPipeline pipeline, AlertBook alerts, CounterEventBook counterEvents, Dispatch.QueueDispatcher webhooks, Supervision.SupervisionMonitor supervision,
        ExternalBrokerClient? external, EmbeddedBroker? embedded)
    {
        var sb = new StringBuilder();
        sb.Append("# HELP pd_ingest_total Inbound frames by outcome (rejections by reason).\n# TYPE pd_ingest_total counter\n");
        foreach (var (outcome, count) in pipeline.Counts.OrderBy(kv => kv.Key))
        {
            sb.Append("pd_ingest_total{outcome=\"").Append(outcome).Append("\"} ").Append(count).Append('\n');
        }
        sb.Append("# HELP pd_acks_issued_total Signed acknowledgements issued (after the frame was committed; duplicates are acknowledged again).\n# TYPE pd_acks_issued_total counter\n");
        sb.Append("pd_acks_issued_total ").Append(pipeline.AcksIssued).Append('\n');
        sb.Append("# HELP pd_resyncs_issued_total Signed Resync answers issued for frames refused for their counter (never counted as acks).\n# TYPE pd_resyncs_issued_total counter\n");
        sb.Append("pd_resyncs_issued_total ").Append(pipeline.ResyncsIssued).Append('\n');
        sb.Append("# HELP pd_counter_events_open Frames refused for their counter (reused or too old) neither re-sent by the device nor acknowledged by an operator.\n# TYPE pd_counter_events_open gauge\n");
        sb.Append("pd_counter_events_open ").Append(counterEvents.CountOpen()).Append('\n');
        if (external != null)
        {
            // External broker mode only: a receiver that is up but not subscribed takes no uplinks (alert on 0).
            sb.Append("# HELP pd_broker_subscribed 1 while connected to the external broker and subscribed to the shared uplink subscription.\n# TYPE pd_broker_subscribed gauge\n");
            sb.Append("pd_broker_subscribed ").Append(external.IsSubscribed ? 1 : 0).Append('\n');
        }
        if (embedded != null)
        {
            // What the embedded broker refused before a frame reached the pipeline: logins, oversized or early packets, topics.
            sb.Append("# HELP pd_mqtt_refused_total Connections, packets and requests the embedded broker refused, by reason.\n# TYPE pd_mqtt_refused_total counter\n");
            foreach (var (reason, count) in embedded.Counters.All)
            {
                sb.Append("pd_mqtt_refused_total{reason=\"").Append(reason).Append("\"} ").Append(count).Append('\n');
            }
        }
        pipeline.Latency.WriteTo(sb, "pd_ingest_duration_seconds", "Arrival to result of a frame (decode, verify, durable store, ack).");
        sb.Append("# HELP pd_alerts_open Alerts not yet resolved, cancelled or marked false alarm.\n# TYPE pd_alerts_open gauge\n");
        sb.Append("pd_alerts_open ").Append(alerts.CountOpen()).Append('\n');
        // Labelled by position and host only: a target URL may carry a token in its path or query. One group per metric.
        // One read of every target's state for both groups of series (each is a count over the queue).
        var all = webhooks.AllStatus();
        var targets = all.Where(s => s.Route.StartsWith("webhook:", StringComparison.Ordinal)).Select((status, i) => (status, label: "{target=\"" + i + "\",host=\"" + (Uri.TryCreate(status.Target, UriKind.Absolute, out var u) ? u.Authority : "?") + "\"}")).ToList();
        DateTimeOffset now = webhooks.Now;
        TargetSeries(sb, "pd_webhook", targets, now, new[]
        {
            "Events queued for a webhook target and not yet delivered.",
            "Events delivered to a webhook target.",
            "How long every attempt at a webhook target has failed (0 while it takes events).",
            "1 once a webhook target has failed every attempt for 60 s (operators are told), else 0.",
        });
        // ARCs by their configured name (no address, account or key).
        var arcs = all.Where(s => s.Route.StartsWith("arc:", StringComparison.Ordinal))
            .Select(status => (status, label: "{arc=\"" + status.Route["arc:".Length..] + "\"}")).ToList();
        TargetSeries(sb, "pd_arc", arcs, now, new[]
        {
            "Events queued and not yet passed to an alarm receiving centre (its backlog).",
            "Events an alarm receiving centre acknowledged.",
            "How long every message or link test to an ARC has failed (0 while it acknowledges).",
            "1 once an ARC has failed every message or link test for 60 s (operators are told), else 0.",
        });
        sb.Append("# HELP pd_supervision_open Open supervision events (device silent, low battery).\n# TYPE pd_supervision_open gauge\n");
        foreach (var g in supervision.Open().GroupBy(e => e.Event).OrderBy(g => g.Key))
        {
            sb.Append("pd_supervision_open{event=\"").Append(g.Key).Append("\"} ").Append(g.Count()).Append('\n');
        }
        return sb.ToString();
    }

    // pending, delivered_total, failing_seconds and failing of each target, one group per metric (Prometheus wants them so).
    private static void TargetSeries(StringBuilder sb, string prefix, List<(Dispatch.WebhookStatus Status, string Label)> targets, DateTimeOffset now, string[] help)
    {
        (string Name, string Type, Func<Dispatch.WebhookStatus, string> Value)[] series =
        {
            ("_pending", "gauge", s => s.Pending.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("_delivered_total", "counter", s => s.Delivered.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("_failing_seconds", "gauge", s => (s.FailingSince is { } since ? Math.Max(0, (now - since).TotalSeconds) : 0).ToString("0", System.Globalization.CultureInfo.InvariantCulture)),
            ("_failing", "gauge", s => s.Alarm ? "1" : "0"),
        };
        for (int i = 0; i < series.Length; i++)
        {
            string name = prefix + series[i].Name;
            sb.Append("# HELP ").Append(name).Append(' ').Append(help[i]).Append("\n# TYPE ").Append(name).Append(' ').Append(series[i].Type).Append('\n');
            foreach (var (status, label) in targets) sb.Append(name).Append(label).Append(' ').Append(series[i].Value(status)).Append('\n');
        }
    }
}
