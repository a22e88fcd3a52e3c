using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dashboard;

/// <summary>
/// The operator dashboard: its page (embedded in this assembly, no CDN, no build step), its settings,
/// and the live event stream (Server-Sent Events, one-time tickets instead of the token in a URL).
/// </summary>
internal static class DashboardEndpoints
{
    /// <summary>A comment line on the stream this often, so proxies and the browser keep it open.</summary>
    public static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    private static readonly Dictionary<string, string> Files = new()
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["i18n.js"] = "text/javascript; charset=utf-8",
        ["map.js"] = "text/javascript; charset=utf-8",
        ["alarm.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https: http:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// Maps the page, GET /api/dashboard, POST /api/events/ticket, GET /api/events, and publishes operator actions unless
    /// <paramref name="publishActions"/> is false (a store that notifies every receiver of them: <see cref="SharedStoreFeed"/>).
    /// </summary>
    public static void Map(WebApplication app, RouteGroupBuilder operatorApi, AlertFeed feed, ReceiverOptions options, bool publishActions = true)
    {
        var tickets = new EventTickets(TimeProvider.System);
        foreach (var (name, type) in Files)
        {
            byte[] body = Resource(name);
            app.MapGet(name == "index.html" ? "/" : "/" + name, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                http.Response.Headers.ContentSecurityPolicy = Policy;
                http.Response.Headers.XContentTypeOptions = "nosniff";
                http.Response.Headers["Referrer-Policy"] = "strict-origin";
                return Results.Bytes(body, type);
            }).AllowAnonymous(); // the page asks for the token itself; it holds no data
        }

        // Operator actions answer with the updated alert (or counter event): every such answer is also an event.
        operatorApi.AddEndpointFilter(async (context, next) =>
        {
            object? result = await next(context);
            if (!publishActions)
            {
                return result;
            }
            if (HttpMethods.IsPost(context.HttpContext.Request.Method) && result is IValueHttpResult { Value: AlertView changed })
            {
                feed.Publish(changed);
            }
            else if (HttpMethods.IsPost(context.HttpContext.Request.Method) && result is IValueHttpResult { Value: CounterEventView seen })
            {
                feed.Publish(seen);
            }
            return result;
        });
        operatorApi.MapGet("/dashboard", () => new { mapTilesUrl = options.MapTilesUrl ?? "", mapTilesAttribution = options.MapTilesAttribution ?? "",
            escalateAfterSeconds = options.EscalateAfterSeconds });
        operatorApi.MapPost("/events/ticket", () => new { ticket = tickets.Issue(), expiresInSeconds = (int)EventTickets.Lifetime.TotalSeconds });
        app.MapGet("/api/events", (HttpContext http, string? ticket) => tickets.Consume(ticket)
            ? Stream(http, feed)
            : Task.FromResult(Results.Json(new { error = "a fresh ticket from POST /api/events/ticket is required" }, statusCode: 401)))
            .AllowAnonymous(); // EventSource cannot send a header: a one-time ticket stands in for the token
    }

    /// <summary>The pipeline hook: after a frame is stored, publish the alert it created or changed.</summary>
    public static Action<Frame> PublishStored(ReceiverDatabase db, AlertBook alerts, AlertFeed feed) => frame =>
    {
        if (frame.Kind is not (MessageKind.Alert or MessageKind.Update or MessageKind.Cancel) || feed.SubscriberCount == 0)
        {
            return; // nobody watches: no store reads (a page that opens loads the list itself)
        }
        try
        {
            using var c = db.Open();
            using var cmd = c.CreateCommand();
            // An alert frame made its own row; a follow-up or cancel changed the device's latest alert.
            cmd.CommandText = frame.Kind == MessageKind.Alert
                ? "SELECT id FROM alerts WHERE device_id = @d AND counter = @c ORDER BY id DESC LIMIT 1"
                : "SELECT id FROM alerts WHERE device_id = @d ORDER BY updated_utc DESC, id DESC LIMIT 1";
            cmd.With("@d", frame.DeviceId);
            cmd.With("@c", (long)frame.Counter);
            if (cmd.ExecuteScalar() is long id && alerts.Find(id) is { } view)
            {
                feed.Publish(view);
            }
        }
        catch (Exception)
        {
            // The frame is stored and acknowledged regardless; a dashboard reloads its list on reconnect.
        }
    };

    /// <summary>The pipeline hook: after a frame is refused for its counter, publish its counter event.</summary>
    public static Action<Frame, byte[]> PublishCounterRefused(CounterEventBook events, AlertFeed feed) => (frame, raw) =>
    {
        if (feed.SubscriberCount == 0)
        {
            return;
        }
        try
        {
            if (events.FindByBytes(frame.DeviceId, raw) is { } view)
            {
                feed.Publish(view);
            }
        }
        catch (Exception)
        {
            // The event is stored regardless; a dashboard reloads its list on reconnect.
        }
    };

    private static async Task<IResult> Stream(HttpContext http, AlertFeed feed)
    {
        // Ends when the browser goes away or the receiver shuts down (so a dashboard never holds up a stop).
        using var ends = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted,
            http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        CancellationToken gone = ends.Token;
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        using var subscription = feed.Subscribe();
        try
        {
            await Write(http, "retry: 3000\n: connected\n\n", gone);
            while (true)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(gone);
                beat.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await subscription.Reader.WaitToReadAsync(beat.Token);
                }
                catch (OperationCanceledException) when (!gone.IsCancellationRequested)
                {
                    await Write(http, ": heartbeat\n\n", gone);
                    continue;
                }
                if (!more)
                {
                    break;
                }
                var sb = new StringBuilder();
                while (subscription.Reader.TryRead(out object? item))
                {
                    string name = item switch { CounterEventView => "counter", Registry.DeviceEventView => "device", Dispatch.WebhookHealthView => "dispatch", _ => "alert" };
                    sb.Append("event: ").Append(name).Append("\ndata: ").Append(JsonSerializer.Serialize(item, item.GetType(), JsonSerializerOptions.Web)).Append("\n\n");
                }
                await Write(http, sb.ToString(), gone);
            }
        }
        catch (OperationCanceledException)
        {
            // the browser went away, or the receiver is stopping
        }
        return Results.Empty;
    }

    private static async Task Write(HttpContext http, string text, CancellationToken cancel)
    {
        await http.Response.WriteAsync(text, cancel);
        await http.Response.Body.FlushAsync(cancel);
    }

    private static byte[] Resource(string name) => Resource("Dashboard", name);

    /// <summary>A page file embedded in this assembly (the csproj embeds each folder's wwwroot under the folder's name).</summary>
    internal static byte[] Resource(string folder, string name)
    {
        using Stream s = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("PanicDevice.Receiver." + folder + "." + name)
            ?? throw new InvalidOperationException(folder + " file " + name + " is not embedded");
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    }
}
