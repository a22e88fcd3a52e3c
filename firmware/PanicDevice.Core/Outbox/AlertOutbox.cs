using System;
using System.Collections;
using PanicDevice.Core.Protocol;
using PanicDevice.Core.Storage;

namespace PanicDevice.Core.Outbox
{
    /// <summary>
    /// The persistent, bounded outbox: a frame is stored here before it is sent and leaves only when
    /// acknowledged or superseded. Each entry is its own record ("ob.0" … "ob.N-1") with a CRC, and an
    /// entry is never rewritten in place: an update is written to a free slot first and the old slot
    /// deleted after, so power loss at any moment leaves either the old or the new entry whole, and a
    /// torn write can only ever damage the record being written. One slot is always kept free for
    /// those copy-then-delete updates, so an entry is never rewritten in place.
    /// </summary>
    public class AlertOutbox
    {
        /// <summary>Slots unless configured otherwise: 15 alerts waiting is already a disaster.</summary>
        public const int DefaultCapacity = 16;

        private const string SlotPrefix = "ob.";
        private const byte Magic0 = (byte)'O';
        private const byte Magic1 = (byte)'B';
        private const byte FormatVersion = 1;
        // magic 2, version 1, flags 1, sequence 4, frame length 1, frame, crc 4
        private const int Overhead = 13;

        private readonly IRecordStore store;
        private readonly int capacity;
        private readonly OutboxEntry[] slots;
        private uint nextSequence = 1;
        private int discardedCorrupt;

        /// <summary>Opens the outbox, reading back every intact entry (corrupt records are deleted and counted).</summary>
        public AlertOutbox(IRecordStore store, int capacity)
        {
            if (store == null)
            {
                throw new ArgumentNullException("store");
            }
            if (capacity < 2)
            {
                throw new ArgumentException("outbox capacity must be at least 2");
            }
            this.store = store;
            this.capacity = capacity;
            slots = new OutboxEntry[capacity];
            Load();
        }

        /// <summary>Number of entries waiting.</summary>
        public int Count
        {
            get { return capacity - FreeSlots(); }
        }

        /// <summary>Records found torn or corrupt when the outbox was opened (each was the one being written).</summary>
        public int DiscardedCorrupt
        {
            get { return discardedCorrupt; }
        }

        /// <summary>
        /// Persists a signed frame. When the outbox is full, the oldest follow-up (Update) or heartbeat is
        /// superseded to make room; alerts and cancels are never evicted, so when every slot holds one
        /// the append throws and the caller must report a failure instead of losing anything silently.
        /// Returns the stored entry; the frame is on storage when this returns.
        /// </summary>
        public OutboxEntry Append(byte[] frame)
        {
            if (frame == null || frame.Length < 2 || frame.Length > FrameCodec.MaxFrameLength)
            {
                throw new ArgumentException("outbox takes encoded frames of at most " + FrameCodec.MaxFrameLength.ToString() + " bytes");
            }
            int slot = FreeSlot();
            if (FreeSlots() <= 1)
            {
                OutboxEntry victim = OldestEvictable();
                if (victim == null)
                {
                    throw new InvalidOperationException("outbox full of undelivered alerts");
                }
                Remove(victim);
                slot = victim.Slot;
            }
            OutboxEntry entry = new OutboxEntry();
            entry.Sequence = nextSequence++;
            entry.Slot = slot;
            entry.Frame = frame;
            Write(entry);
            slots[slot] = entry;
            return entry;
        }

        /// <summary>
        /// Sets flag bits on an entry durably: the new version goes to the free slot before the old one is
        /// deleted, so power loss leaves one whole copy (two copies are resolved when the outbox opens).
        /// </summary>
        public void SetFlags(OutboxEntry entry, byte flags)
        {
            if ((entry.Flags | flags) == entry.Flags)
            {
                return;
            }
            byte merged = (byte)(entry.Flags | flags);
            int free = FreeSlot();
            if (free < 0)
            {
                // Only reachable with a store filled by a larger outbox; an in-place rewrite could tear the
                // entry itself, so the flag stays in memory (worst case: a fallback repeats after a reboot).
                entry.Flags = merged;
                return;
            }
            OutboxEntry copy = new OutboxEntry();
            copy.Sequence = entry.Sequence;
            copy.Frame = entry.Frame;
            copy.Flags = merged;
            copy.Slot = free;
            Write(copy);
            store.Delete(SlotName(entry.Slot));
            slots[entry.Slot] = null;
            entry.Flags = merged;
            entry.Slot = free;
            slots[free] = entry;
        }

        /// <summary>
        /// Puts a re-signed frame in place of an entry: the same message under a new counter, after the receiver refused
        /// the old counter. The entry keeps its place in the order and takes <paramref name="flags"/>. As with
        /// <see cref="SetFlags"/>, the new version goes to the free slot before the old one is deleted, so power loss
        /// leaves one whole copy; when the outbox opens with both, the one with the higher counter is the newer.
        /// </summary>
        public void Replace(OutboxEntry entry, byte[] frame, byte flags)
        {
            if (frame == null || frame.Length < 2 || frame.Length > FrameCodec.MaxFrameLength)
            {
                throw new ArgumentException("outbox takes encoded frames of at most " + FrameCodec.MaxFrameLength.ToString() + " bytes");
            }
            int free = FreeSlot();
            if (free < 0)
            {
                // As in SetFlags: never rewrite in place. After a reboot the old frame is refused again and re-signed again.
                entry.Frame = frame;
                entry.Flags = flags;
                return;
            }
            OutboxEntry copy = new OutboxEntry();
            copy.Sequence = entry.Sequence;
            copy.Frame = frame;
            copy.Flags = flags;
            copy.Slot = free;
            Write(copy);
            store.Delete(SlotName(entry.Slot));
            slots[entry.Slot] = null;
            entry.Frame = frame;
            entry.Flags = flags;
            entry.Slot = free;
            slots[free] = entry;
        }

        /// <summary>Removes an acknowledged or superseded entry.</summary>
        public void Remove(OutboxEntry entry)
        {
            if (entry == null || slots[entry.Slot] != entry)
            {
                return;
            }
            store.Delete(SlotName(entry.Slot));
            slots[entry.Slot] = null;
        }

        /// <summary>Entries oldest first.</summary>
        public OutboxEntry[] Entries()
        {
            ArrayList list = new ArrayList();
            for (int i = 0; i < capacity; i++)
            {
                if (slots[i] != null)
                {
                    list.Add(slots[i]);
                }
            }
            OutboxEntry[] result = new OutboxEntry[list.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (OutboxEntry)list[i];
            }
            // Insertion sort: at most a few dozen entries, and no generic comparer on the device.
            for (int i = 1; i < result.Length; i++)
            {
                OutboxEntry e = result[i];
                int j = i - 1;
                while (j >= 0 && result[j].Sequence > e.Sequence)
                {
                    result[j + 1] = result[j];
                    j--;
                }
                result[j + 1] = e;
            }
            return result;
        }

        private int FreeSlot()
        {
            for (int i = 0; i < capacity; i++)
            {
                if (slots[i] == null)
                {
                    return i;
                }
            }
            return -1;
        }

        private int FreeSlots()
        {
            int n = 0;
            for (int i = 0; i < capacity; i++)
            {
                if (slots[i] == null)
                {
                    n++;
                }
            }
            return n;
        }

        /// <summary>Entries that can wait: one slot is reserved for durable updates.</summary>
        public int Capacity
        {
            get { return capacity - 1; }
        }

        private OutboxEntry OldestEvictable()
        {
            OutboxEntry oldest = null;
            for (int i = 0; i < capacity; i++)
            {
                OutboxEntry e = slots[i];
                if (e == null)
                {
                    continue;
                }
                byte kind = e.Frame[1];
                if (kind != (byte)MessageKind.Update && kind != (byte)MessageKind.Heartbeat)
                {
                    continue;
                }
                if (oldest == null || e.Sequence < oldest.Sequence)
                {
                    oldest = e;
                }
            }
            return oldest;
        }

        private void Load()
        {
            for (int i = 0; i < capacity; i++)
            {
                byte[] r = store.Read(SlotName(i));
                if (r == null)
                {
                    continue;
                }
                OutboxEntry e = Parse(r);
                if (e == null)
                {
                    store.Delete(SlotName(i));
                    discardedCorrupt++;
                    continue;
                }
                e.Slot = i;
                slots[i] = e;
                if (e.Sequence >= nextSequence)
                {
                    nextSequence = e.Sequence + 1;
                }
            }
            // A crash between writing an updated copy and deleting the old one leaves two copies of one
            // entry: keep the newer, drop the other. A re-signed copy (Replace) has the higher counter; a copy
            // with the same frame and more flags (SetFlags) is newer.
            for (int i = 0; i < capacity; i++)
            {
                for (int j = i + 1; j < capacity; j++)
                {
                    OutboxEntry a = slots[i];
                    OutboxEntry b = slots[j];
                    if (a == null || b == null || a.Sequence != b.Sequence)
                    {
                        continue;
                    }
                    uint counterA = CounterOf(a.Frame);
                    uint counterB = CounterOf(b.Frame);
                    OutboxEntry drop = counterA != counterB ? (counterA < counterB ? a : b) : (b.Flags | a.Flags) == b.Flags ? a : b;
                    store.Delete(SlotName(drop.Slot));
                    slots[drop.Slot] = null;
                }
            }
        }

        /// <summary>The counter field of an encoded frame (0 when the bytes are too short to hold one).</summary>
        private static uint CounterOf(byte[] frame)
        {
            if (frame.Length < 3 || frame.Length < 7 + frame[2])
            {
                return 0;
            }
            return BigEndian.ReadUInt32(frame, 3 + frame[2]);
        }

        private static OutboxEntry Parse(byte[] r)
        {
            if (r.Length < Overhead + 1 || r[0] != Magic0 || r[1] != Magic1 || r[2] != FormatVersion)
            {
                return null;
            }
            int frameLength = r[8];
            if (r.Length != Overhead + frameLength)
            {
                return null;
            }
            int crcAt = r.Length - 4;
            if (BigEndian.ReadUInt32(r, crcAt) != Crc32.Compute(r, 0, crcAt))
            {
                return null;
            }
            OutboxEntry e = new OutboxEntry();
            e.Flags = r[3];
            e.Sequence = BigEndian.ReadUInt32(r, 4);
            e.Frame = new byte[frameLength];
            Array.Copy(r, 9, e.Frame, 0, frameLength);
            return e;
        }

        private void Write(OutboxEntry e)
        {
            byte[] r = new byte[Overhead + e.Frame.Length];
            r[0] = Magic0;
            r[1] = Magic1;
            r[2] = FormatVersion;
            r[3] = e.Flags;
            BigEndian.WriteUInt32(r, 4, e.Sequence);
            r[8] = (byte)e.Frame.Length;
            Array.Copy(e.Frame, 0, r, 9, e.Frame.Length);
            int crcAt = r.Length - 4;
            BigEndian.WriteUInt32(r, crcAt, Crc32.Compute(r, 0, crcAt));
            store.Write(SlotName(e.Slot), r);
        }

        private static string SlotName(int slot)
        {
            return SlotPrefix + slot.ToString();
        }
    }
}
