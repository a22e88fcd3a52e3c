using System;
using PanicDevice.Core.Storage;

namespace PanicDevice.Core.Counter
{
    /// <summary>
    /// The per-device frame counter: never repeats across reboots and power loss, with bounded flash wear.
    /// It reserves a block of values and persists the block's end *before* handing out the first value
    /// of the block, so a reboot resumes at the persisted end and at most one block of values is skipped.
    /// The end is written alternately to two records with a CRC, so a write torn by power loss leaves
    /// the other record (an older, smaller end that no handed-out value has reached) intact.
    /// A record that exists but fails its CRC may have been the newer one (torn, or decayed after it
    /// was used), and the newer end is never more than one block past the older: so the counter then
    /// resumes one block past the valid record (past the first block when the other was never written).
    /// With both records corrupt it refuses rather than guess.
    /// </summary>
    public class MonotonicCounter
    {
        /// <summary>Values reserved per flash write unless configured otherwise.</summary>
        public const uint DefaultBlockSize = 64;

        /// <summary>
        /// The highest value <see cref="AdvanceTo"/> moves to: 2^26 (67 million) values below the end of the space. A jump
        /// comes from device.json's counter floor or from the receiver's signed Resync; neither may leave the key too few
        /// values to keep sending (67 million frames last a fob more than 30 years at 2 million frames a year, far above
        /// its real rate). A genuine receiver only names counters this key has signed, so a value beyond this means a
        /// cloned key or a broken receiver: the device then keeps its counter and needs a new key.
        /// </summary>
        public const uint AdvanceCeiling = 0xFFFFFFFE - (1u << 26);

        private const int RecordLength = 16;
        private const byte Magic0 = (byte)'P';
        private const byte Magic1 = (byte)'C';
        private const byte FormatVersion = 1;

        private readonly IRecordStore store;
        private readonly string slotA;
        private readonly string slotB;
        private readonly uint blockSize;

        private uint next;
        private uint reservedEnd;
        private bool nextWriteToA;
        private bool loaded;
        private int writes;

        /// <summary>Creates a counter persisted as two records, name + ".a" and name + ".b".</summary>
        public MonotonicCounter(IRecordStore store, string name, uint blockSize)
        {
            if (store == null)
            {
                throw new ArgumentNullException("store");
            }
            if (blockSize < 1)
            {
                throw new ArgumentException("block size must be at least 1");
            }
            this.store = store;
            slotA = name + ".a";
            slotB = name + ".b";
            this.blockSize = blockSize;
        }

        /// <summary>Number of record writes made by this instance (flash wear indicator).</summary>
        public int Writes
        {
            get { return writes; }
        }

        /// <summary>The value the next call to <see cref="Next"/> returns (loads the records if needed).</summary>
        public uint Peek()
        {
            Load();
            return next;
        }

        /// <summary>
        /// Returns a value never returned before by any instance on this store. Throws when the 32-bit
        /// space is used up (the device must be re-keyed) or when the reservation cannot be persisted;
        /// in both cases no value is handed out.
        /// </summary>
        public uint Next()
        {
            Load();
            if (next == uint.MaxValue)
            {
                throw new InvalidOperationException("frame counter exhausted: the device needs a new key");
            }
            if (next >= reservedEnd)
            {
                uint end = next + blockSize;
                if (end < next)
                {
                    end = uint.MaxValue;
                }
                Persist(end);
                reservedEnd = end;
            }
            uint value = next;
            next = value + 1;
            return value;
        }

        /// <summary>
        /// Moves the counter forward so that the next value handed out is <paramref name="value"/>: a counter floor from
        /// device.json, or the counter the receiver's signed Resync names. Never backwards: when the next value is already
        /// at or past <paramref name="value"/> nothing changes and false is returned. The new reservation is persisted to
        /// both records before the counter moves, so after a torn write either record may be the one that survives, and
        /// the rule that the records are never more than one block apart (which corrupt-record recovery relies on) holds.
        /// Throws ArgumentOutOfRangeException above <see cref="AdvanceCeiling"/>, and whatever the store throws.
        /// </summary>
        public bool AdvanceTo(uint value)
        {
            if (value > AdvanceCeiling)
            {
                throw new ArgumentOutOfRangeException("value");
            }
            Load();
            if (value <= next)
            {
                return false;
            }
            uint end = value + blockSize;
            if (end < value)
            {
                end = uint.MaxValue;
            }
            Persist(end);
            Persist(end);
            next = value;
            reservedEnd = end;
            return true;
        }

        private void Load()
        {
            if (loaded)
            {
                return;
            }
            uint a;
            uint b;
            uint blockA;
            uint blockB;
            int stateA = ReadSlot(slotA, out a, out blockA);
            int stateB = ReadSlot(slotB, out b, out blockB);
            if (stateA == SlotCorrupt && stateB == SlotCorrupt)
            {
                // Only decay or tampering corrupts both; any guess could reuse a value the receiver has seen.
                throw new InvalidOperationException("frame counter records are corrupt: the device needs a new key");
            }
            uint end = 0;
            if (stateA == SlotValid)
            {
                end = a;
            }
            if (stateB == SlotValid && b > end)
            {
                end = b;
            }
            if (stateA == SlotCorrupt || stateB == SlotCorrupt)
            {
                uint step = stateA == SlotValid ? blockA : stateB == SlotValid ? blockB : 0;
                if (blockSize > step)
                {
                    step = blockSize;
                }
                // With the other slot never written, the corrupt one could only have held the first block, which starts at 1.
                uint start = end == 0 ? 1 : end;
                end = start + step < start ? uint.MaxValue : start + step;
            }
            // Write over the slot holding the smaller, corrupt or no value so the larger one survives a torn write.
            nextWriteToA = stateA != SlotValid || (stateB == SlotValid && b >= a);
            // Values start at 1: 0 is never a valid counter, which makes an all-zero frame easy to spot.
            next = end == 0 ? 1 : end;
            reservedEnd = next;
            loaded = true;
        }

        private void Persist(uint end)
        {
            byte[] slot = new byte[RecordLength];
            slot[0] = Magic0;
            slot[1] = Magic1;
            slot[2] = FormatVersion;
            BigEndian.WriteUInt32(slot, 4, end);
            BigEndian.WriteUInt32(slot, 8, blockSize);
            BigEndian.WriteUInt32(slot, 12, Crc32.Compute(slot, 0, 12));
            store.Write(nextWriteToA ? slotA : slotB, slot);
            writes++;
            nextWriteToA = !nextWriteToA;
        }

        private const int SlotMissing = 0;
        private const int SlotValid = 1;
        private const int SlotCorrupt = 2;

        private int ReadSlot(string name, out uint end, out uint block)
        {
            end = 0;
            block = 0;
            byte[] r = store.Read(name);
            if (r == null)
            {
                return SlotMissing;
            }
            if (r.Length != RecordLength || r[0] != Magic0 || r[1] != Magic1 || r[2] != FormatVersion
                || BigEndian.ReadUInt32(r, 12) != Crc32.Compute(r, 0, 12))
            {
                return SlotCorrupt;
            }
            end = BigEndian.ReadUInt32(r, 4);
            block = BigEndian.ReadUInt32(r, 8);
            return SlotValid;
        }
    }
}
