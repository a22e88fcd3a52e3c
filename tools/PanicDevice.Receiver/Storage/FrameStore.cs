using System.Data.Common;
using PanicDevice.Core.Protocol;
using PanicDevice.Receiver.Pipeline;

namespace PanicDevice.Receiver.Storage;

/// <summary>Outcome of storing a verified frame.</summary>
internal enum StoreOutcome
{
    /// <summary>Committed for the first time, with its dispatch event queued in the same transaction.</summary>
    Stored,
    /// <summary>These very bytes are already stored (another path or another receiver got them first): acknowledge again, dispatch nothing.</summary>
    Duplicate,
    /// <summary>Other bytes are stored under this counter: refused, recorded as a counter event, answered with a Resync.</summary>
    CounterReuse,
    /// <summary>Below the anti-replay window and nothing stored under it: refused, recorded as a counter event, answered with a Resync.</summary>
    CounterTooOld,
}

/// <summary>What the store decided, and for a refused counter the counter the device continues from (0 otherwise).</summary>
internal readonly record struct StoreResult(StoreOutcome Outcome, uint NextCounter)
{
    public bool IsCounterRefusal => Outcome is StoreOutcome.CounterReuse or StoreOutcome.CounterTooOld;
}

/// <summary>
/// Stores verified frames durably. One transaction does the anti-replay check, inserts the frame,
/// moves the device's window and queues the dispatch event, so "stored" and "will be dispatched" can
/// never disagree, and the (device, counter) primary key makes storing exactly-once even when several
/// receivers race for the same frame. A counter seen before is a duplicate only when the stored bytes
/// are the same bytes; other bytes under a used counter, or a counter below the window with nothing
/// stored, are refused and recorded as a counter event for operators in the same transaction.
/// </summary>
internal sealed class FrameStore
{
    private readonly ReceiverDatabase db;

    /// <summary>A store on <paramref name="db"/>; another alert of a device within <paramref name="incidentWindow"/> of its open alert joins it (default: never).</summary>
    public FrameStore(ReceiverDatabase db, TimeSpan? incidentWindow = null)
    {
        this.db = db;
        IncidentWindow = incidentWindow ?? TimeSpan.Zero;
    }

    /// <summary>How long after an alert opened another alert of its device joins it; zero: never (each press its own alert).</summary>
    public TimeSpan IncidentWindow { get; }

    private FrameStoreBatcher? batcher;

    /// <summary>
    /// Stores one frame in its own transaction and commits it before returning (run again from the start
    /// after a deadlock with another receiver, so a transient failure never costs the frame).
    /// </summary>
    public StoreResult Store(Frame f, byte[] raw, string path, DateTime receivedUtc)
    {
        return db.InTransaction((c, tx) =>
        {
            using var statements = new StatementCache(c);
            StoreResult result = StoreIn(db.Dialect, c, tx, statements, f, raw, path, receivedUtc);
            if (result.Outcome != StoreOutcome.Duplicate)
            {
                tx.Commit(); // the frame, or the counter event of a refused one
            }
            return result;
        });
    }

    /// <summary>
    /// Group commit: queues the frame for the store's single writer, which stores whatever is queued (up to
    /// <see cref="FrameStoreBatcher.MaxBatch"/> frames, in arrival order) in one transaction with the same
    /// per-frame logic as <see cref="Store"/>, commits, and only then completes each task. A frame whose
    /// statements fail faults its task, and the batch is rolled back and written again without it; if the
    /// commit fails, every task of the batch faults. Either way a faulted task means nothing of its frame
    /// was stored.
    /// </summary>
    public Task<StoreResult> StoreAsync(Frame f, byte[] raw, string path, DateTime receivedUtc)
    {
        return Batcher().Enqueue(f, raw, path, receivedUtc);
    }

    /// <summary>Transactions committed by the group-commit writer and the frames they carried (a mean batch size for benchmarks).</summary>
    public (long Batches, long Frames) GroupCommits => batcher?.Totals ?? (0, 0);

    /// <summary>Of <see cref="GroupCommits"/>' frames, those the set-based writer stored (PostgreSQL).</summary>
    public long BulkFrames => batcher?.BulkFrames ?? 0;

    /// <summary>Test seam: runs on the writer inside each batch's transaction, just before its commit.</summary>
    internal Action<IReadOnlyList<Frame>>? BeforeGroupCommit
    {
        set => Batcher().BeforeCommit = value;
    }

    private FrameStoreBatcher Batcher()
    {
        if (batcher == null)
        {
            Interlocked.CompareExchange(ref batcher, new FrameStoreBatcher(db, StoreIn, IncidentWindow > TimeSpan.Zero), null);
        }
        return batcher;
    }

    /// <summary>
    /// The per-frame work of a store, inside a transaction the caller commits. Writes only when it returns
    /// Stored (the frame) or a counter refusal (the counter event).
    /// </summary>
    private StoreResult StoreIn(StoreDialect dialect, DbConnection c, DbTransaction tx, StatementCache statements, Frame f, byte[] raw, string path, DateTime receivedUtc)
    {
        ReplayWindow window;
        {
            // Locks the device row where several receivers write (PostgreSQL): a second receiver storing a
            // frame of this device waits here until this transaction ends, then reads the moved window.
            var read = statements.Get(tx, "SELECT replay_window FROM devices WHERE id = @id" + dialect.LockRow);
            read.With("@id", f.DeviceId);
            window = ReplayWindow.FromBytes(read.ExecuteScalar() as byte[]);
        }
        ReplayVerdict verdict = window.Check(f.Counter);
        if (verdict != ReplayVerdict.New)
        {
            // A counter seen before (or too old to tell) is the same frame again only if the bytes are the same:
            // a stored frame whose ack was lost comes back, even long after the window moved on, and is acked again.
            byte[]? stored = StoredRaw(statements, tx, f.DeviceId, f.Counter);
            if (stored != null && stored.AsSpan().SequenceEqual(raw))
            {
                return new StoreResult(StoreOutcome.Duplicate, 0);
            }
            // A counter the window marks has a stored frame (frames are never deleted), so no row means too old.
            return Refuse(statements, tx, f, raw, path, receivedUtc, stored != null ? StoreOutcome.CounterReuse : StoreOutcome.CounterTooOld, window);
        }
        {
            var insert = statements.Get(tx, """
                INSERT INTO frames (device_id, counter, kind, code, device_time_utc, lat_e7, lon_e7, accuracy_m, fix_age_s, source, battery, signal_dbm, flags, raw, path, received_utc)
                VALUES (@d, @c, @k, @code, @t, @lat, @lon, @acc, @age, @src, @bat, @sig, @fl, @raw, @path, @rx)
                ON CONFLICT (device_id, counter) DO NOTHING
                """);
            insert.With("@d", f.DeviceId);
            insert.With("@c", (long)f.Counter);
            insert.With("@k", (int)f.Kind);
            insert.With("@code", (int)f.Code);
            insert.With("@t", (long)f.TimeUtcSeconds);
            insert.With("@lat", f.LatitudeE7);
            insert.With("@lon", f.LongitudeE7);
            insert.With("@acc", (int)f.AccuracyM);
            insert.With("@age", (int)f.FixAgeS);
            insert.With("@src", (int)f.Source);
            insert.With("@bat", (int)f.BatteryPercent);
            insert.With("@sig", (int)f.SignalDbm);
            insert.With("@fl", (int)f.Flags);
            insert.With("@raw", raw);
            insert.With("@path", path);
            insert.With("@rx", receivedUtc.ToString("O"));
            if (insert.ExecuteNonQuery() == 0)
            {
                // The window did not know this counter but a frame is stored under it: the device was given a new
                // key (which resets the window) and its counter started again below its old frames.
                byte[]? stored = StoredRaw(statements, tx, f.DeviceId, f.Counter);
                return stored != null && stored.AsSpan().SequenceEqual(raw)
                    ? new StoreResult(StoreOutcome.Duplicate, 0)
                    : Refuse(statements, tx, f, raw, path, receivedUtc, StoreOutcome.CounterReuse, window);
            }
        }
        window.Mark(f.Counter);
        {
            var update = statements.Get(tx, """
                UPDATE devices SET replay_window = @w, last_seen_utc = @rx,
                  battery = CASE WHEN @bat = 255 THEN battery ELSE @bat END,
                  signal_dbm = CASE WHEN @sig = 0 THEN signal_dbm ELSE @sig END
                WHERE id = @id
                """);
            update.With("@w", window.ToBytes());
            update.With("@rx", receivedUtc.ToString("O"));
            update.With("@bat", (int)f.BatteryPercent);
            update.With("@sig", (int)f.SignalDbm);
            update.With("@id", f.DeviceId);
            update.ExecuteNonQuery();
        }
        AlertBook.Project(c, tx, f, path, receivedUtc.ToString("O"), IncidentWindow, statements);
        CounterEventBook.Resolve(c, tx, statements, f, receivedUtc.ToString("O"));
        if (dialect.QueueInsertLock is { } queueLock)
        {
            statements.Get(tx, queueLock).ExecuteNonQuery();
        }
        {
            var queue = statements.Get(tx, "INSERT INTO dispatch_queue (device_id, counter, event, created_utc) VALUES (@d, @c, 'frame', @rx)");
            queue.With("@d", f.DeviceId);
            queue.With("@c", (long)f.Counter);
            queue.With("@rx", receivedUtc.ToString("O"));
            queue.ExecuteNonQuery();
        }
        return new StoreResult(StoreOutcome.Stored, 0);
    }

    /// <summary>
    /// A verified frame under a used or too-old counter: nothing of it goes into frames or alerts; it is recorded as a
    /// counter event (once per distinct bytes) with the counter the device must continue from: past every counter
    /// the window or the frames table holds for this device id (a re-keyed device's window starts empty, its old
    /// frames do not go away).
    /// </summary>
    private static StoreResult Refuse(StatementCache statements, DbTransaction tx, Frame f, byte[] raw, string path, DateTime receivedUtc, StoreOutcome outcome, ReplayWindow window)
    {
        long highest = window.Highest;
        {
            var max = statements.Get(tx, "SELECT MAX(counter) FROM frames WHERE device_id = @d");
            max.With("@d", f.DeviceId);
            if (max.ExecuteScalar() is long stored && stored > highest)
            {
                highest = stored;
            }
        }
        uint next = (uint)Math.Min(highest + 1, uint.MaxValue);
        CounterEventBook.Record(statements, tx, f, raw, path, outcome == StoreOutcome.CounterReuse ? CounterEventBook.Reused : CounterEventBook.TooOld, next, receivedUtc.ToString("O"));
        return new StoreResult(outcome, next);
    }

    private static byte[]? StoredRaw(StatementCache statements, DbTransaction tx, string deviceId, uint counter)
    {
        var cmd = statements.Get(tx, "SELECT raw FROM frames WHERE device_id = @d AND counter = @c");
        cmd.With("@d", deviceId);
        cmd.With("@c", (long)counter);
        return cmd.ExecuteScalar() as byte[];
    }

    /// <summary>Number of stored frames for a device, optionally of one kind (tests and the API).</summary>
    public long CountFrames(string deviceId, MessageKind? kind = null)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM frames WHERE device_id = @d" + (kind == null ? "" : " AND kind = @k");
        cmd.With("@d", deviceId);
        if (kind != null) cmd.With("@k", (int)kind.Value);
        return (long)cmd.ExecuteScalar()!;
    }

    /// <summary>How a stored frame arrived ("mqtt" or "sms"), or null when it is not stored.</summary>
    public string? PathOf(string deviceId, uint counter)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT path FROM frames WHERE device_id = @d AND counter = @c";
        cmd.With("@d", deviceId);
        cmd.With("@c", (long)counter);
        return cmd.ExecuteScalar() as string;
    }

    /// <summary>Dispatch events queued for a frame (each must be exactly one).</summary>
    public long CountDispatchEvents(string deviceId, uint counter)
    {
        using var c = db.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT COUNT(*) FROM dispatch_queue WHERE device_id = @d AND counter = @c";
        cmd.With("@d", deviceId);
        cmd.With("@c", (long)counter);
        return (long)cmd.ExecuteScalar()!;
    }
}
