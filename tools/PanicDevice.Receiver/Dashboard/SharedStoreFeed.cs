using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using PanicDevice.Receiver.Storage;

namespace PanicDevice.Receiver.Dashboard;

/// <summary>
/// The dashboard's feed where several receivers share one PostgreSQL store. An operator's page is connected to one
/// receiver while the broker hands each uplink to any of them, so a feed fed by its own receiver's ingest showed the
/// alerts of the others only on a reload. Here the store tells every receiver of every committed change: triggers on
/// alerts and counter_events NOTIFY the row's id (<see cref="PostgresDialect.AlertChannel"/>), PostgreSQL delivers it to
/// each listener after the commit and in commit order, and this service reads the rows and publishes them, whichever
/// receiver (this one included) wrote them. Notices that arrive while nobody watches cost no read. If the listening
/// connection is lost, so are the notices of the gap: every subscription is ended when it breaks and again once
/// listening resumes, and each page reconnects and reloads its list, as one that fell behind does.
/// </summary>
internal sealed class SharedStoreFeed : BackgroundService
{
    /// <summary>Most rows read for the feed in one go.</summary>
    private const int ReadBatch = 256;

    private readonly ReceiverDatabase db;
    private readonly AlertBook alerts;
    private readonly CounterEventBook counterEvents;
    private readonly AlertFeed feed;
    private readonly ILogger logger;
    private readonly Channel<(bool Alert, long Id)> notices = Channel.CreateUnbounded<(bool, long)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SharedStoreFeed(ReceiverDatabase db, AlertBook alerts, CounterEventBook counterEvents, AlertFeed feed, ILogger<SharedStoreFeed> logger)
    {
        this.db = db;
        this.alerts = alerts;
        this.counterEvents = counterEvents;
        this.feed = feed;
        this.logger = logger;
    }

    /// <summary>Completes once the first LISTEN is in place (tests: changes committed after it reach the feed).</summary>
    public Task Listening => listening.Task;

    private int listens;

    /// <summary>Times a LISTEN was put in place: more than one means the connection was lost and listening resumed.</summary>
    public int Listens => Volatile.Read(ref listens);

    protected override Task ExecuteAsync(CancellationToken stop) => Task.WhenAll(ListenAsync(stop), PublishAsync(stop));

    private async Task ListenAsync(CancellationToken stop)
    {
        bool listenedBefore = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var c = (NpgsqlConnection)db.Open();
                c.Notification += (_, n) =>
                {
                    if (long.TryParse(n.Payload, out long id))
                    {
                        notices.Writer.TryWrite((n.Channel == PostgresDialect.AlertChannel, id));
                    }
                };
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresDialect.AlertChannel}; LISTEN {PostgresDialect.CounterEventChannel}", c))
                {
                    await listen.ExecuteNonQueryAsync(stop);
                }
                if (listenedBefore)
                {
                    logger.LogWarning("listening to the store's changes again: dashboards reload their lists");
                    feed.EndAll();
                }
                listenedBefore = true;
                Interlocked.Increment(ref listens);
                listening.TrySetResult();
                while (true)
                {
                    if (!await c.WaitAsync(TimeSpan.FromSeconds(30), stop))
                    {
                        // Quiet for 30 s: make sure the connection is still there, or learn now that it is not.
                        await using var probe = new NpgsqlCommand("SELECT 1", c);
                        await probe.ExecuteScalarAsync(stop);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Whatever went wrong, the dashboards' feed must not stop the receiver (a failed hosted service stops the host).
                logger.LogWarning("lost the store's change notices ({Reason}); dashboards reload their lists, retrying in 1 s", LogTextOf(e));
                feed.EndAll();
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task PublishAsync(CancellationToken stop)
    {
        var alertIds = new List<long>();
        var counterIds = new List<long>();
        try
        {
            while (await notices.Reader.WaitToReadAsync(stop))
            {
                alertIds.Clear();
                counterIds.Clear();
                while (alertIds.Count + counterIds.Count < ReadBatch && notices.Reader.TryRead(out var notice))
                {
                    List<long> ids = notice.Alert ? alertIds : counterIds;
                    if (!ids.Contains(notice.Id))
                    {
                        ids.Add(notice.Id); // an alert changed twice since the last read is read once, as it is now
                    }
                }
                if (feed.SubscriberCount == 0)
                {
                    continue; // nobody watches: a page that opens loads the list itself
                }
                try
                {
                    foreach (AlertView view in alerts.FindMany(alertIds))
                    {
                        feed.Publish(view);
                    }
                    foreach (long id in counterIds)
                    {
                        if (counterEvents.Find(id) is { } view)
                        {
                            feed.Publish(view);
                        }
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The changes are stored; the pages must reload to see them.
                    logger.LogWarning("could not read changed alerts for the dashboards ({Reason}); they reload their lists", LogTextOf(e));
                    feed.EndAll();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static string LogTextOf(Exception e) => e.Message.ReplaceLineEndings(" ");
}
