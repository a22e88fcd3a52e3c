using System.Data.Common;
using PanicDevice.Core.Protocol;

namespace PanicDevice.Receiver.Storage;

/// <summary>
/// The group-commit writer behind <see cref="FrameStore.StoreAsync"/>. Callers queue verified frames;
/// one writer at a time drains the queue in batches of up to <see cref="MaxBatch"/>, each in one
/// transaction (IMMEDIATE on SQLite) and in arrival order (so two frames of one device meet the anti-replay window
/// in the order they came), commits, and only then completes the callers' tasks: with synchronous FULL,
/// one WAL fsync covers the whole batch, and no caller learns "stored" before its frame is durable.
/// The writer runs on its own thread while there is work and ends when the queue is empty, so an idle
/// store holds no thread and no connection.
/// </summary>
internal sealed class FrameStoreBatcher
{
    /// <summary>Most frames in one transaction: bounds the time a batch holds the write lock.</summary>
    public const int MaxBatch = 256;

    internal delegate StoreResult StoreStep(StoreDialect dialect, DbConnection c, DbTransaction tx, StatementCache statements, Frame f, byte[] raw, string path, DateTime receivedUtc);

    /// <summary>A queued frame and the task its caller awaits.</summary>
    internal sealed record Item(Frame Frame, byte[] Raw, string Path, DateTime ReceivedUtc, TaskCompletionSource<StoreResult> Done);

    private readonly ReceiverDatabase db;
    private readonly StoreStep step;
    private readonly object gate = new();
    private readonly Queue<Item> queue = new();
    private bool writing;
    private long batches;
    private long frames;
    private long bulkFrames;

    public FrameStoreBatcher(ReceiverDatabase db, StoreStep step, bool joinsIncidents = false)
    {
        this.db = db;
        this.step = step;
        this.joinsIncidents = joinsIncidents;
    }

    // Whether a press may join an open incident (FrameStore.IncidentWindow): the set-based writer then leaves such presses to the per-frame store.
    private readonly bool joinsIncidents;

    /// <summary>Runs on the writer inside each batch's transaction, just before the commit (tests).</summary>
    public Action<IReadOnlyList<Frame>>? BeforeCommit { get; set; }

    public (long Batches, long Frames) Totals => (Interlocked.Read(ref batches), Interlocked.Read(ref frames));

    /// <summary>Frames committed by the set-based writer (<see cref="FrameBulkWriter"/>) rather than one by one.</summary>
    public long BulkFrames => Interlocked.Read(ref bulkFrames);

    public Task<StoreResult> Enqueue(Frame f, byte[] raw, string path, DateTime receivedUtc)
    {
        // Continuations run elsewhere: the writer must not publish acks or run callers' code.
        var done = new TaskCompletionSource<StoreResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool start;
        lock (gate)
        {
            queue.Enqueue(new Item(f, raw, path, receivedUtc, done));
            start = !writing;
            writing = true;
        }
        if (start)
        {
            // A thread of its own: a batch blocks on fsync, which must not take a thread-pool thread from the broker.
            new Thread(Drain) { IsBackground = true, Name = "pd-group-commit" }.Start();
        }
        return done.Task;
    }

    private void Drain()
    {
        DbConnection? c = null;
        StatementCache? statements = null;
        var batch = new List<Item>(MaxBatch);
        try
        {
            while (true)
            {
                batch.Clear();
                lock (gate)
                {
                    while (batch.Count < MaxBatch && queue.Count > 0)
                    {
                        batch.Add(queue.Dequeue());
                    }
                    if (batch.Count == 0)
                    {
                        writing = false;
                        return;
                    }
                }
                try
                {
                    if (c == null)
                    {
                        c = db.Open();
                        statements = new StatementCache(c);
                    }
                    Write(c, statements!, batch);
                }
                catch (Exception ex)
                {
                    // The transaction failed as a whole (begin or commit): nothing of it is stored, nobody is acknowledged.
                    foreach (Item item in batch)
                    {
                        item.Done.TrySetException(ex);
                    }
                    statements?.Dispose();
                    statements = null;
                    c?.Dispose();
                    c = null;
                }
            }
        }
        finally
        {
            statements?.Dispose();
            c?.Dispose();
        }
    }

    /// <summary>
    /// Stores the batch in one transaction and completes its tasks after the commit. Where the engine has a set-based
    /// writer (<see cref="StoreDialect.StoresInBulk"/>), it stores the frames it can first and the per-frame store the
    /// rest. When one frame's statements fail, the whole transaction is rolled back (so nothing of that frame stays); a
    /// set-based statement cannot say which frame failed, so the batch is written again frame by frame, and there the
    /// failing frame's task faults and the rest of the batch is written again without it. A deadlock or serialization
    /// failure (another receiver on the same PostgreSQL) is nobody's fault: the whole batch is written again, up to
    /// <see cref="ReceiverDatabase.TransientRetries"/> times, and only then does every task fault (no ack: the devices
    /// send again).
    /// </summary>
    private void Write(DbConnection c, StatementCache statements, List<Item> batch)
    {
        StoreDialect dialect = db.Dialect;
        int transientFailures = 0;
        bool bulk = dialect.StoresInBulk;
        while (batch.Count > 0)
        {
            var outcomes = new StoreResult[batch.Count];
            int failed = -1;
            int inBulk = 0;
            Exception? failure = null;
            try
            {
                using var tx = c.BeginTransaction();
                StoreResult?[]? done = null;
                if (bulk)
                {
                    try
                    {
                        done = FrameBulkWriter.Write(dialect, tx, statements, batch, joinsIncidents);
                    }
                    catch (DbException ex) when (!dialect.IsTransient(ex))
                    {
                        bulk = false; // rolled back by the dispose; frame by frame finds the frame at fault
                        continue;
                    }
                    if (done == null)
                    {
                        bulk = false; // the set-based writer asked for it: rolled back, frame by frame
                        continue;
                    }
                }
                else if (dialect.LockDevicesInOrder is { } lockDevices)
                {
                    var devices = statements.Get(tx, lockDevices);
                    devices.With("@ids", batch.Select(b => b.Frame.DeviceId).Distinct().ToArray());
                    devices.ExecuteNonQuery();
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    if (done?[i] is { } stored)
                    {
                        outcomes[i] = stored;
                        inBulk++;
                        continue;
                    }
                    try
                    {
                        outcomes[i] = step(dialect, c, tx, statements, batch[i].Frame, batch[i].Raw, batch[i].Path, batch[i].ReceivedUtc);
                    }
                    catch (DbException ex) when (!dialect.IsTransient(ex))
                    {
                        failed = i;
                        failure = ex;
                        break;
                    }
                }
                if (failed < 0)
                {
                    BeforeCommit?.Invoke(batch.Select(b => b.Frame).ToList());
                    tx.Commit();
                }
            }
            catch (Exception ex) when (dialect.IsTransient(ex) && transientFailures < ReceiverDatabase.TransientRetries)
            {
                // Rolled back by the dispose; the other writer holds the locks we wanted. Back off and redo all of it.
                transientFailures++;
                Thread.Sleep(Random.Shared.Next(1, 20 << transientFailures));
                continue;
            }
            if (failed >= 0)
            {
                // Disposed without a commit: rolled back. Retry the others.
                batch[failed].Done.TrySetException(failure!);
                batch.RemoveAt(failed);
                continue;
            }
            Interlocked.Increment(ref batches);
            Interlocked.Add(ref frames, batch.Count);
            Interlocked.Add(ref bulkFrames, inBulk);
            for (int i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(outcomes[i]);
            }
            return;
        }
    }
}
